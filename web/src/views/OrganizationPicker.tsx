// The treatment place of a block, by SOR id. (A search over SOR units comes with the graph's
// `organizations(search:)` root field.)

export function OrganizationPicker(props: { value: string; onChange: (sor: string) => void }) {
  return (
    <label>
      Behandlingsstedets SOR-id{" "}
      <input
        required
        inputMode="numeric"
        pattern="[0-9]{11,18}"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}
