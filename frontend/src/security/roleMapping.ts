/**
 * The role mapping of an SSO provider, edited as text: one `claim value = role, role` per line,
 * e.g. `radiology = specialist`. The server maps the values of one claim (e.g. `groups`) to roles.
 */
import type { RoleMapping } from '../api/identity';

export const MAPPABLE_ROLES = ['referrer', 'specialist', 'coordinator', 'admin', 'patient'] as const;

export interface RoleMappingDraft {
  claim: string;
  lines: string;
  defaults: string[];
}

export type ParsedMapping = { mapping: RoleMapping | null; error: null } | { mapping: null; error: string };

function roleList(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((r) => r.trim().toLowerCase())
    .filter(Boolean);
}

/** The mapping to send, null for "no mapping", or the first problem found. */
export function parseRoleMapping(draft: RoleMappingDraft): ParsedMapping {
  const claim = draft.claim.trim();
  const map: Record<string, string[]> = {};
  const lines = draft.lines.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const [index, line] of lines.entries()) {
    const eq = line.indexOf('=');
    if (eq <= 0) return { mapping: null, error: `Line ${index + 1}: write "value = role".` };
    const value = line.slice(0, eq).trim();
    const roles = roleList(line.slice(eq + 1));
    if (!roles.length) return { mapping: null, error: `Line ${index + 1}: name at least one role.` };
    const unknown = roles.find((r) => !(MAPPABLE_ROLES as readonly string[]).includes(r));
    if (unknown) return { mapping: null, error: `Line ${index + 1}: "${unknown}" is not a role.` };
    map[value] = [...new Set([...(map[value] ?? []), ...roles])];
  }
  if (!lines.length && !draft.defaults.length) return { mapping: null, error: null };
  if (lines.length && !claim) return { mapping: null, error: 'Name the claim that carries these values.' };
  const mapping: RoleMapping = { claim: claim || 'groups', map };
  if (draft.defaults.length) mapping.default = [...draft.defaults];
  return { mapping, error: null };
}

/** A mapping shown back as text (for the provider list). */
export function describeRoleMapping(mapping: RoleMapping | null | undefined): string {
  if (!mapping) return 'Everyone signs in as a referrer';
  const rules = Object.entries(mapping.map ?? {}).map(([value, roles]) => `${value} → ${roles.join(', ')}`);
  const fallback = `otherwise ${(mapping.default?.length ? mapping.default : ['referrer']).join(', ')}`;
  return [`${mapping.claim}:`, rules.join('; ') || '(no rules)', `· ${fallback}`].join(' ');
}
