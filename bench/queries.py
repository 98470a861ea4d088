"""What the benchmark asks: the overview a frontend sends, and the day and week views."""

from __future__ import annotations

_NODES = "nodes { id start end status title source { id name } organization { sor name } }"

OVERVIEW = f"""
query Overview($cpr: String!, $first: Int!) {{
  patientOverview(cpr: $cpr) {{
    patient {{ cpr name }}
    stamkort {{
      name healthInsuranceGroup
      gp {{ name phone }}
      relatives {{ value provenance {{ enteredByRole enteredAt }} }}
    }}
    appointments(first: $first) {{
      totalCount
      {_NODES}
      pageInfo {{ hasNextPage endCursor }}
    }}
    plans {{ id title status organization {{ name }} activities {{ title appointmentIds }} }}
    goals {{ id description targets {{ detail dueDate }} }}
    sources {{ id name status fetchedAt }}
    notices {{ code message }}
  }}
}}
"""

# A calendar page: the patient, one day's or one ISO week's appointments (Copenhagen time; no
# date means today), the sources' status and the notices.
CALENDAR = f"""
query Calendar($cpr: String!, $view: AppointmentView!, $first: Int!) {{
  patientOverview(cpr: $cpr) {{
    patient {{ cpr name }}
    appointments(view: $view, first: $first) {{
      totalCount
      {_NODES}
      pageInfo {{ hasNextPage endCursor }}
    }}
    sources {{ id name status fetchedAt }}
    notices {{ code message }}
  }}
}}
"""
