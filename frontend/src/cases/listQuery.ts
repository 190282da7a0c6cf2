/** The case list's filters live in the URL so that back/forward and reload keep them. */
import type { CaseListQuery } from '../api/cases';
import { isStatus } from './caseStatus';

export const PER_PAGE = 20;

export interface ListFilters {
  status: string;
  q: string;
  page: number;
}

export function filtersFromSearch(search: URLSearchParams): ListFilters {
  const status = search.get('status');
  const page = Number.parseInt(search.get('page') ?? '1', 10);
  return {
    status: isStatus(status) ? status : '',
    q: search.get('q') ?? '',
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

export function searchFromFilters(filters: ListFilters): URLSearchParams {
  const search = new URLSearchParams();
  if (filters.status) search.set('status', filters.status);
  if (filters.q.trim()) search.set('q', filters.q.trim());
  if (filters.page > 1) search.set('page', String(filters.page));
  return search;
}

export function apiQuery(filters: ListFilters): CaseListQuery {
  return {
    status: isStatus(filters.status) ? filters.status : undefined,
    q: filters.q.trim() || undefined,
    page: filters.page,
    per_page: PER_PAGE,
  };
}

export function pageCount(total: number, perPage: number): number {
  return Math.max(1, Math.ceil(total / Math.max(perPage, 1)));
}
