/** Coordinator routing by hand: offer a triaged case, or reassign one that is offered or under way. */
import type { Candidate, Offer } from '../api/routing';
import type { CaseStatus } from '../api/types';

export type RouteMode = 'offer' | 'reassign';

const REASSIGNABLE: readonly string[] = ['offered', 'accepted', 'in_review', 'info_requested'];

/** What a coordinator can do with a case in this status, or null. */
export function routeMode(status: CaseStatus | string, allowed?: readonly string[]): RouteMode | null {
  if (status === 'triage' && (!allowed || allowed.includes('offer'))) return 'offer';
  if (REASSIGNABLE.includes(status) && (!allowed || allowed.includes('reassign'))) return 'reassign';
  return null;
}

export interface CandidateOption {
  value: string;
  label: string;
  disabled: boolean;
}

/**
 * Eligible specialists first (best fit first, as the server ranks them), then the others with why
 * routing passed them over: a coordinator may still choose one by hand (the server refuses hard limits
 * such as licensure with a clear message).
 */
export function candidateOptions(candidates: readonly Candidate[], currentSpecialistId?: string | null): CandidateOption[] {
  const eligible = candidates.filter((c) => c.eligible);
  const excluded = candidates.filter((c) => !c.eligible);
  return [...eligible, ...excluded].map((c) => {
    const facts = [
      `${c.load}/${c.capacity} cases`,
      c.available_now ? 'available' : 'away',
      c.requested ? 'requested' : '',
      c.specialist.id === currentSpecialistId ? 'current' : '',
      ...(c.eligible ? [] : [`not a match: ${c.excluded.join(', ') || 'excluded'}`]),
    ].filter(Boolean);
    return { value: c.specialist.id, label: `${c.specialist.name} (${facts.join(' · ')})`, disabled: c.excluded.includes('has the open offer') };
  });
}

export const OFFER_STATUS_TEXT: Record<string, string> = {
  pending: 'Waiting for an answer',
  accepted: 'Accepted',
  declined: 'Declined',
  expired: 'Expired (no answer)',
  withdrawn: 'Withdrawn',
};

/** One line about an offer: "Dr Lee: Declined (on leave)". */
export function describeOffer(offer: Offer): string {
  const status = OFFER_STATUS_TEXT[offer.status] ?? offer.status;
  return `${offer.specialist.name}: ${status}${offer.reason ? ` (${offer.reason})` : ''}`;
}

/** The offer waiting for an answer, if any. */
export function pendingOffer(offers: readonly Offer[]): Offer | null {
  return offers.find((o) => o.status === 'pending') ?? null;
}
