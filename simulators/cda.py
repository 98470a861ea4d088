"""The APD-DK 2.0.1 documents a simulated source publishes: versions, entries and the CDA XML.

``publish`` turns one appointment of the neutral model into its document entries (one per
published version, see ``simulators/apd.py`` for the wire rules); ``simulators/cdadoc.py``
writes one entry as an APD-DK CDA; ``hostile`` writes the stand-ins served under ``malformed``
faults.
"""

from __future__ import annotations

import re
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from simulators.population import Population, SimAppointment, SimOrg, SimVersion

CPR_OID = "1.2.208.176.1.2"
SOR_OID = "1.2.208.176.1.1"
YDER_OID = "1.2.208.176.1.4"
DOC_ID_OID = "1.2.208.184"
KIND_OID = "1.2.208.184.100.1"
# Sim statuses the CDA ActStatus can say; everything else (booked, proposed, noshow, ...) is
# "active", as in every published APD example.
CDA_STATUS = {"cancelled": "cancelled", "fulfilled": "completed", "entered-in-error": "nullified"}
_NS = uuid.UUID("6f1c2a52-0c64-4d4e-9d55-5a0d2f1e7a01")


def is_gp(source: str) -> bool:
    """GP sources share only with consent and only from ``GP_SHARED_SINCE`` on."""
    return source.startswith("gp")


def withdrawn(appt: SimAppointment) -> bool:
    """Whether ``appt``'s cancellation is published by withdrawing the document.

    The other cancelled half says ``statusCode="cancelled"`` in a current CDA. The split is a
    checksum of the id, so it is stable across runs and both styles occur in any sizeable set.
    """
    return appt.current.status == "cancelled" and zlib.crc32(appt.id.encode()) % 2 == 1


@dataclass(frozen=True, slots=True)
class Entry:
    """One published DocumentReference: one version of one appointment document."""

    id: str
    appt: SimAppointment
    version: SimVersion
    ordinal: int
    status: str  # current | superseded
    cda_status: str
    replaces: str | None


def publish(source: str, appt: SimAppointment) -> list[Entry]:
    """The entries ``source`` publishes for ``appt``, oldest first."""
    versions = list(appt.versions)
    statuses = [CDA_STATUS.get(v.status, "active") for v in versions]
    gone = withdrawn(appt)
    if gone and len(versions) > 1:
        # The cancellation is no new document: the last booked one is deprecated instead.
        versions, statuses = versions[:-1], statuses[:-1]
    elif gone:
        statuses[-1] = "active"  # the document as it was booked, then withdrawn
    entries: list[Entry] = []
    for n, (version, cda_status) in enumerate(zip(versions, statuses, strict=True), start=1):
        last = n == len(versions)
        entry_id = str(uuid.uuid5(_NS, f"{source}/{appt.id}/{n}"))
        entries.append(
            Entry(
                id=entry_id,
                appt=appt,
                version=version,
                ordinal=n,
                status="current" if last and not gone else "superseded",
                cda_status=cda_status,
                replaces=entries[-1].id if entries else None,
            )
        )
    return entries


def created(entry: Entry) -> datetime:
    """A deterministic publication time: the first version ten days ahead, later ones hourly."""
    first = entry.appt.versions[0].start
    return first - timedelta(days=10) + timedelta(hours=entry.ordinal - 1)


def institution(pop: Population, sor: str) -> SimOrg:
    """The health institution above a unit (the custodian of its documents)."""
    org = pop.orgs[sor]
    while org.level == "unit" and org.parent is not None:
        org = pop.orgs[org.parent]
    return org


# --- hostile documents ---


_BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE ClinicalDocument [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + ']>\n<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&lol9;</title></ClinicalDocument>\n'
)


def hostile(variant: str, cda: str, index: int) -> bytes:
    """A hostile stand-in for ``cda``; ``structure`` rotates its three forms with ``index``."""
    if variant == "xml-bomb":
        return _BOMB.encode()
    if variant == "xxe":
        # An otherwise valid CDA whose texts would carry the file, were the entity resolved.
        head, _, rest = cda.partition("\n")
        doctype = '<!DOCTYPE ClinicalDocument [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        body = rest.replace("<text>", "<text>&xxe;")
        return f"{head}\n{doctype}\n{body}".encode()
    form = index % 3
    if form == 0:
        return re.sub(r"<low [^>]*/>", "", cda).encode()
    if form == 1:
        return b'<?xml version="1.0"?><Appointment xmlns="urn:example:not-cda"/>'
    return b"Dokumentet er midlertidigt utilg\xc3\xa6ngeligt"
