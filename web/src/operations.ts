// Every operation the page sends, typed by GraphQL Code Generator from ../schema.graphql
// (`npm run codegen`). The build writes them to dist/operations.json (hash -> document).

import { graphql } from "./gql";

export const Appointments = graphql(`
  query Appointments(
    $cpr: String!
    $view: AppointmentView
    $date: Date
    $filter: AppointmentFilter
    $first: Int
    $after: String
    $last: Int
    $before: String
  ) {
    patientOverview(cpr: $cpr) {
      cpr
      appointments(
        view: $view
        date: $date
        filter: $filter
        first: $first
        after: $after
        last: $last
        before: $before
      ) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        nodes {
          id
          status
          title
          start
          end
          allDay
          startDate
          endDate
          indicativeTime
          sector
          localDate
          isoWeek
          performer
          reason
          source {
            id
            name
          }
          organization {
            sor
            name
          }
          place {
            name
            isHome
            address {
              lines
              postcode
              city
            }
          }
          overlapsWith {
            id
            title
            start
          }
        }
      }
      ...Told
    }
  }
`);

export const Stamkort = graphql(`
  query Stamkort($cpr: String!) {
    patientOverview(cpr: $cpr) {
      cpr
      stamkort {
        cpr
        name
        status
        addressProtected
        healthInsuranceGroup
        gpNote
        version
        registeredAddress {
          lines
          postcode
          city
        }
        gp {
          name
          ydernummer
          phone
          doctors
          address {
            lines
            postcode
            city
          }
        }
        provenance {
          source
          enteredAt
        }
        phone {
          ...Entered
        }
        temporaryAddress {
          ...Entered
        }
        dentist {
          ...Entered
        }
        language {
          ...Entered
        }
        relatives {
          ...Entered
        }
      }
      ...Told
    }
  }
`);

// What every view shows beside its data: each source's status and the notices (a withheld part).
export const ToldFragment = graphql(`
  fragment Told on PatientOverview {
    sources {
      id
      name
      kind
      status
      fetchedAt
      refusedDocuments
    }
    notices {
      code
      message
    }
  }
`);

export const EnteredFragment = graphql(`
  fragment Entered on EnteredValue {
    value
    version
    provenance {
      source
      enteredByName
      enteredByRole
      enteredByAuthorisationId
      enteredAt
      organization {
        name
      }
    }
  }
`);

export const StamkortHistory = graphql(`
  query StamkortHistory($cpr: String!, $field: StamkortField!) {
    patientOverview(cpr: $cpr) {
      cpr
      stamkort {
        cpr
        history(field: $field) {
          ...Entered
        }
      }
    }
  }
`);

export const UpdateStamkort = graphql(`
  mutation UpdateStamkort($input: UpdateStamkortInput!) {
    updateStamkort(input: $input) {
      version
    }
  }
`);

export const Plans = graphql(`
  query Plans($cpr: String!) {
    patientOverview(cpr: $cpr) {
      cpr
      plans {
        id
        title
        category
        status
        intent
        description
        periodStart
        periodEnd
        author
        goalIds
        source {
          id
          name
        }
        organization {
          name
        }
        activities {
          title
          status
          scheduledStart
          scheduledEnd
          appointmentIds
        }
      }
      goals {
        id
        description
        lifecycleStatus
        achievementStatus
        startDate
        source {
          name
        }
        organization {
          name
        }
        targets {
          measure
          detail
          dueDate
        }
      }
      appointments(first: 500) {
        nodes {
          id
          title
          start
          allDay
          startDate
          status
        }
      }
      ...Told
    }
  }
`);

export const Blocks = graphql(`
  query Blocks($cpr: String!) {
    patientOverview(cpr: $cpr) {
      cpr
      blocks {
        id
        kind
        authorisationId
        sor
        includeSubUnits
        periodStart
        periodEnd
        validFrom
        validTo
        createdAt
        createdByRole
        endedAt
        active
      }
    }
  }
`);

export const CreateBlock = graphql(`
  mutation CreateBlock($input: CreateBlockInput!) {
    createBlock(input: $input) {
      id
      active
    }
  }
`);

export const EndBlock = graphql(`
  mutation EndBlock($cpr: String!, $id: ID!) {
    endBlock(cpr: $cpr, id: $id) {
      id
      active
      endedAt
    }
  }
`);

export const AccessLog = graphql(`
  query AccessLog($cpr: String!, $first: Int, $after: String, $last: Int, $before: String) {
    patientOverview(cpr: $cpr) {
      cpr
      accessLog(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        nodes {
          at
          viewerName
          viewerRole
          authorisationId
          action
          refused
          categories
          overrideUsed
          overrideReason
          requestId
          organization {
            sor
            name
          }
        }
      }
    }
  }
`);

export const Calendar = graphql(`
  query Calendar($cpr: String!, $patient: Boolean!) {
    patientOverview(cpr: $cpr) {
      cpr
      calendarFeed {
        url
        createdAt
        confirmedAt
        expiresAt
      }
      calendarFeeds @include(if: $patient) {
        id
        ownerName
        ownerRole
        own
        createdAt
        confirmedAt
        expiresAt
        active
      }
    }
  }
`);

export const RotateFeed = graphql(`
  mutation RotateFeed($cpr: String!) {
    rotateCalendarFeed(cpr: $cpr) {
      url
      expiresAt
    }
  }
`);

export const RevokeFeed = graphql(`
  mutation RevokeFeed($cpr: String!, $id: ID) {
    revokeCalendarFeed(cpr: $cpr, id: $id)
  }
`);

export const OverrideBlocks = graphql(`
  mutation OverrideBlocks($input: OverrideInput!) {
    overrideBlocks(input: $input) {
      id
      basis
      reason
      grantedAt
      expiresAt
    }
  }
`);

export const Organizations = graphql(`
  query Organizations($search: String!, $first: Int!) {
    organizations(search: $search, first: $first) {
      sor
      name
      level
      parentSor
    }
  }
`);
