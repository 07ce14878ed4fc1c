/**
 * The JSON Schema of a governance model (draft 2020-12 subset that ajv 8 checks by default). This
 * object is the source; `schema/governance.schema.json` is its published copy, kept equal by a test.
 * Checks that need more than one value (dates in order, references, caps) live in `validate.ts`.
 */

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;
const login = { type: 'string', pattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]|\\[bot\\])*$' } as const;
const day = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$' } as const;
// Bounded (at most about 27 years), so that no window overflows a date.
const duration = { type: 'string', pattern: '^(?:[1-9]\\d{0,5}m|[1-9]\\d{0,4}h|[1-9]\\d{0,3}d|[1-9]\\d{0,2}w)$' } as const;
const share = { type: 'number', exclusiveMinimum: 0, maximum: 1 } as const;
const bodyRef = {
  type: 'object',
  additionalProperties: false,
  required: ['body'],
  properties: { body: id },
} as const;

/** A JSON Schema document, as plain data. */
export interface JsonSchema {
  /** Schema keywords. */
  readonly [keyword: string]: unknown;
}

/** The governance model's JSON Schema, as an object. */
export const governanceSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://hearth.dev/schema/governance.schema.json',
  title: 'Hearth governance model',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'foundation', 'defaultDecision', 'organisations', 'people', 'bodies', 'modules', 'decisions'],
  properties: {
    version: { const: 1 },
    foundation: { type: 'string', minLength: 1 },
    defaultDecision: id,
    organisations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'tier'],
        properties: {
          id,
          name: { type: 'string', minLength: 1 },
          group: id,
          tier: { enum: ['platinum', 'gold', 'silver', 'associate', 'none'] },
        },
      },
    },
    people: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['github', 'name', 'affiliations'],
        properties: {
          github: login,
          githubId: { type: 'integer', minimum: 1 },
          name: { type: 'string', minLength: 1 },
          affiliations: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['org', 'from'],
              properties: { org: id, from: day, to: day },
            },
          },
        },
      },
    },
    bodies: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'seats'],
        properties: {
          id,
          name: { type: 'string', minLength: 1 },
          team: { type: 'string', pattern: '^[A-Za-z0-9-]+/[A-Za-z0-9_.-]+$' },
          seats: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['person', 'since'],
              properties: { person: login, since: day, until: day, role: { enum: ['member', 'lead'] } },
            },
          },
          caps: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              minProperties: 1,
              properties: { share, seats: { type: 'integer', minimum: 1 } },
            },
          },
        },
      },
    },
    modules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'paths'],
        properties: {
          id,
          paths: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          owners: { type: 'array', items: login },
          ownerBody: id,
          shared: { type: 'boolean' },
          vendor: id,
          requires: id,
        },
      },
    },
    unownedPaths: {
      type: 'object',
      additionalProperties: false,
      required: ['ownerBody'],
      properties: { ownerBody: id },
    },
    decisions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id,
          label: { type: 'string', minLength: 1 },
          description: { type: 'string' },
          rank: { type: 'integer', minimum: 0 },
          rule: {
            type: 'object',
            additionalProperties: false,
            properties: {
              approvals: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  coverage: { type: 'boolean' },
                  min: { type: 'integer', minimum: 0 },
                  distinctGroups: { type: 'integer', minimum: 1 },
                  sharedDistinctGroups: { type: 'integer', minimum: 1 },
                },
              },
              vote: {
                type: 'object',
                additionalProperties: false,
                required: ['body', 'threshold', 'denominator', 'window'],
                properties: {
                  body: id,
                  threshold: share,
                  strict: { type: 'boolean' },
                  denominator: { enum: ['eligible', 'cast', 'present'] },
                  quorum: { type: 'number', minimum: 0, maximum: 1 },
                  window: duration,
                  recuse: { type: 'array', items: { enum: ['subject', 'subject-group', 'applicant-group'] } },
                  capVotes: { type: 'boolean' },
                },
              },
              lazyConsensus: {
                type: 'object',
                additionalProperties: false,
                required: ['window'],
                properties: {
                  window: duration,
                  objectors: { oneOf: [{ enum: ['owners', 'any-member'] }, bodyRef] },
                },
              },
              escalation: {
                type: 'object',
                additionalProperties: false,
                required: ['chain', 'after'],
                properties: {
                  after: duration,
                  recuseGroups: { type: 'boolean' },
                  chain: {
                    type: 'array',
                    minItems: 1,
                    items: {
                      oneOf: [
                        { const: 'module-owners' },
                        bodyRef,
                        { type: 'object', additionalProperties: false, required: ['lead'], properties: { lead: id } },
                      ],
                    },
                  },
                },
              },
              veto: {
                type: 'object',
                additionalProperties: false,
                minProperties: 1,
                properties: { leadOf: id, people: { type: 'array', items: login } },
              },
            },
          },
        },
      },
    },
  },
} as const;
