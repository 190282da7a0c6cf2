"""QIDO-RS searches over a case's index (PS3.18 10.6) and lookups for WADO-RS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, contains_eager

from .dicomjson import Match, attribute_tag, keyword_vr, parse_match
from .models import DicomInstance, DicomSeries, DicomStudy

STUDY_COLUMNS = {
    "StudyInstanceUID": DicomStudy.study_instance_uid, "PatientID": DicomStudy.patient_id,
    "PatientName": DicomStudy.patient_name, "PatientBirthDate": DicomStudy.patient_birth_date,
    "PatientSex": DicomStudy.patient_sex, "StudyDate": DicomStudy.study_date, "StudyTime": DicomStudy.study_time,
    "AccessionNumber": DicomStudy.accession_number, "StudyDescription": DicomStudy.study_description,
    "ReferringPhysicianName": DicomStudy.referring_physician_name, "StudyID": DicomStudy.study_id,
}
SERIES_COLUMNS = {
    "SeriesInstanceUID": DicomSeries.series_instance_uid, "Modality": DicomSeries.modality,
    "SeriesNumber": DicomSeries.series_number, "SeriesDescription": DicomSeries.series_description,
    "BodyPartExamined": DicomSeries.body_part_examined,
}
INSTANCE_COLUMNS = {
    "SOPInstanceUID": DicomInstance.sop_instance_uid, "SOPClassUID": DicomInstance.sop_class_uid,
    "InstanceNumber": DicomInstance.instance_number, "NumberOfFrames": DicomInstance.number_of_frames,
    "Rows": DicomInstance.rows, "Columns": DicomInstance.columns,
}
CONTROL = {"limit", "offset", "includefield", "fuzzymatching", "passcode"}
MAX_LIMIT = 1000


class QueryError(ValueError):
    """A QIDO query parameter is invalid (400, PS3.18 8.3.4)."""


@dataclass
class Query:
    """Parsed QIDO parameters: matches by keyword plus paging."""

    matches: dict[str, Match]
    limit: int
    offset: int
    fuzzy: bool
    ignored: list[str]


def parse_query(args: dict[str, list[str]], level: str) -> Query:
    """Read matching keys (keyword or tag), limit/offset and fuzzymatching; unknown attributes are ignored."""
    columns = _columns(level)
    matches: dict[str, Match] = {}
    ignored: list[str] = []
    for key, values in args.items():
        if key in CONTROL:
            continue
        tag = attribute_tag(key)
        if tag is None:
            raise QueryError(f"Unknown query attribute {key!r}")
        from pydicom.datadict import keyword_for_tag

        keyword = keyword_for_tag(tag)
        if keyword not in columns and keyword != "ModalitiesInStudy":
            ignored.append(keyword or key)
            continue
        value = values[-1]
        if value == "":
            continue  # empty value: return the attribute, no matching (PS3.4 C.2.2.2.3)
        vr = keyword_vr(tag)
        try:
            match = parse_match(vr, value)
        except ValueError as exc:
            raise QueryError(str(exc)) from exc
        if vr in ("IS", "US", "UL", "SS", "SL") and (match.kind != "exact" or not value.strip().lstrip("-").isdigit()):
            raise QueryError(f"{keyword} takes a single integer value")
        matches[keyword] = match
    limit = _int(args, "limit", 100)
    offset = _int(args, "offset", 0)
    if limit < 0 or offset < 0:
        raise QueryError("limit and offset must be non-negative")
    fuzzy = (args.get("fuzzymatching") or ["false"])[-1].lower() == "true"
    return Query(matches, min(limit or MAX_LIMIT, MAX_LIMIT), offset, fuzzy, ignored)


def _int(args: dict[str, list[str]], key: str, default: int) -> int:
    values = args.get(key)
    if not values:
        return default
    try:
        return int(values[-1])
    except ValueError as exc:
        raise QueryError(f"{key} must be an integer") from exc


def _columns(level: str) -> dict[str, Any]:
    cols: dict[str, Any] = dict(STUDY_COLUMNS)
    if level in ("series", "instances"):
        cols.update(SERIES_COLUMNS)
    if level == "instances":
        cols.update(INSTANCE_COLUMNS)
    return cols


# Built statements by query shape (level, matched keywords and kinds): the values go in as bound parameters,
# so a repeated kind of search skips building the statement and its cache key (most of a search's CPU).
_STATEMENTS: dict[tuple[Any, ...], Any] = {}
_MAX_STATEMENTS = 512


def _statement(shape: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    stmt = _STATEMENTS.get(shape)
    if stmt is None:
        if len(_STATEMENTS) >= _MAX_STATEMENTS:
            _STATEMENTS.clear()
        stmt = _STATEMENTS[shape] = build()
    return stmt


def _shape(query: Query) -> tuple[Any, ...]:
    """What the statement depends on: each match's keyword and kind (and a range's open ends), fuzzy names."""
    out: list[Any] = [query.fuzzy]
    for keyword, match in query.matches.items():
        ends = (bool(match.value[0]), bool(match.value[1])) if match.kind == "range" else None
        out.append((keyword, match.kind, ends))
    return tuple(out)


def _params(query: Query) -> dict[str, Any]:
    """The bound values of `_apply`'s conditions, by the names it gives them."""
    from .dicomjson import like_pattern

    params: dict[str, Any] = {"limit": query.limit, "offset": query.offset}
    for keyword, match in query.matches.items():
        person = keyword.endswith("Name")
        if match.kind == "uids":
            params[keyword] = list(match.value)
        elif match.kind == "range":
            low, high = match.value
            params[f"{keyword}_low"], params[f"{keyword}_high"] = low, high
            params[f"{keyword}_high_len"] = len(high or "")
        elif match.kind == "wildcard" or (person and query.fuzzy and keyword != "ModalitiesInStudy"):
            params[keyword] = like_pattern(match.value if match.kind == "wildcard" else match.value + "*")
        elif keyword == "ModalitiesInStudy":
            params[keyword] = [match.value]
        elif _is_int(keyword):
            try:
                params[keyword] = int(match.value)
            except ValueError as exc:
                raise QueryError(f"{keyword} must be an integer") from exc
        else:
            params[keyword] = match.value.upper() if person else match.value
    return params


def _is_int(keyword: str) -> bool:
    column = _columns("instances").get(keyword)
    return column is not None and column.type.python_type is int


def _apply(stmt: Select[Any], columns: dict[str, Any], query: Query) -> Select[Any]:
    for keyword, match in query.matches.items():
        if keyword == "ModalitiesInStudy":
            sub = select(DicomSeries.study_id)
            if match.kind == "wildcard":
                sub = sub.where(DicomSeries.modality.like(bindparam(keyword), escape="\\"))
            else:
                sub = sub.where(DicomSeries.modality.in_(bindparam(keyword, expanding=True)))
            stmt = stmt.where(DicomStudy.id.in_(sub))
            continue
        stmt = stmt.where(_condition(columns[keyword], keyword, match, query.fuzzy))
    return stmt


def _condition(column: Any, keyword: str, match: Match, fuzzy: bool) -> Any:
    person = keyword.endswith("Name")
    if match.kind == "uids":
        return column.in_(bindparam(keyword, expanding=True))
    if match.kind == "range":
        low, high = match.value
        cond = column != ""
        if low:
            cond = cond & (column >= bindparam(f"{keyword}_low"))
        if high:
            cond = cond & (func.substr(column, 1, bindparam(f"{keyword}_high_len")) <= bindparam(f"{keyword}_high"))
        return cond
    if match.kind == "wildcard" or (person and fuzzy):
        pattern: Any = bindparam(keyword)
        return column.ilike(pattern, escape="\\") if person else column.like(pattern, escape="\\")
    return func.upper(column) == bindparam(keyword) if person else column == bindparam(keyword)


def _page(stmt: Select[Any]) -> Select[Any]:
    return stmt.limit(bindparam("limit")).offset(bindparam("offset"))


def search_studies(session: Session, case_id: str, query: Query) -> list[DicomStudy]:
    """Studies of the case matching the query, newest study date first."""
    def build() -> Select[Any]:
        stmt = _apply(select(DicomStudy).where(DicomStudy.case_id == bindparam("case_id")), STUDY_COLUMNS, query)
        return _page(stmt.order_by(DicomStudy.study_date.desc(), DicomStudy.created_at, DicomStudy.id))

    stmt = _statement(("studies", *_shape(query)), build)
    return list(session.scalars(stmt, {**_params(query), "case_id": case_id}))


def search_series(session: Session, case_id: str, query: Query, study_uid: str | None = None) -> list[DicomSeries]:
    """Series of the case (optionally of one study) matching the query."""
    def build() -> Select[Any]:
        stmt = select(DicomSeries).join(DicomStudy, DicomSeries.study_id == DicomStudy.id).where(
            DicomSeries.case_id == bindparam("case_id"))
        if study_uid:
            stmt = stmt.where(DicomStudy.study_instance_uid == bindparam("study_uid"))
        stmt = _apply(stmt, _columns("series"), query).options(contains_eager(DicomSeries.study))
        return _page(stmt.order_by(DicomSeries.series_number, DicomSeries.created_at, DicomSeries.id))

    stmt = _statement(("series", bool(study_uid), *_shape(query)), build)
    return list(session.scalars(stmt, {**_params(query), "case_id": case_id, "study_uid": study_uid}))


def search_instances(session: Session, case_id: str, query: Query, study_uid: str | None = None,
                     series_uid: str | None = None) -> list[DicomInstance]:
    """Instances of the case (optionally of one study/series) matching the query."""
    def build() -> Select[Any]:
        stmt = (select(DicomInstance).join(DicomSeries, DicomInstance.series_id == DicomSeries.id)
                .join(DicomStudy, DicomSeries.study_id == DicomStudy.id)
                .where(DicomInstance.case_id == bindparam("case_id")))
        if study_uid:
            stmt = stmt.where(DicomStudy.study_instance_uid == bindparam("study_uid"))
        if series_uid:
            stmt = stmt.where(DicomSeries.series_instance_uid == bindparam("series_uid"))
        # The study and series UIDs of each row are in the answer: load them in the same query, not one per row.
        stmt = _apply(stmt, _columns("instances"), query).options(
            contains_eager(DicomInstance.series).contains_eager(DicomSeries.study))
        return _page(stmt.order_by(DicomInstance.instance_number, DicomInstance.created_at, DicomInstance.id))

    stmt = _statement(("instances", bool(study_uid), bool(series_uid), *_shape(query)), build)
    return list(session.scalars(stmt, {**_params(query), "case_id": case_id, "study_uid": study_uid,
                                       "series_uid": series_uid}))


_STUDY_COUNTS = (
    select(DicomSeries.study_id, DicomSeries.modality, func.count(DicomInstance.id))
    .outerjoin(DicomInstance, DicomInstance.series_id == DicomSeries.id)
    .where(DicomSeries.study_id.in_(bindparam("ids", expanding=True)))
    .group_by(DicomSeries.id, DicomSeries.study_id, DicomSeries.modality))
_SERIES_COUNTS = (
    select(DicomInstance.series_id, func.count(DicomInstance.id))
    .where(DicomInstance.series_id.in_(bindparam("ids", expanding=True))).group_by(DicomInstance.series_id))


def study_counts(session: Session, study_ids: list[str]) -> dict[str, tuple[int, int, list[str]]]:
    """Per study: number of series, number of instances, modalities (PS3.18 table 10.6.3-3).

    One statement: each series of the studies with its instance count (an instance's study is its series' study).
    """
    if not study_ids:
        return {}
    rows = session.execute(_STUDY_COUNTS, {"ids": study_ids}).all()
    series: dict[str, int] = {}
    insts: dict[str, int] = {}
    mods: dict[str, set[str]] = {}
    for sid, modality, n in rows:
        series[sid] = series.get(sid, 0) + 1
        insts[sid] = insts.get(sid, 0) + n
        if modality:
            mods.setdefault(sid, set()).add(modality)
    return {sid: (series.get(sid, 0), insts.get(sid, 0), sorted(mods.get(sid, ()))) for sid in study_ids}


def series_counts(session: Session, series_ids: list[str]) -> dict[str, int]:
    """Per series: number of instances."""
    if not series_ids:
        return {}
    return {sid: n for sid, n in session.execute(_SERIES_COUNTS, {"ids": series_ids}).all()}


def find_instances(session: Session, case_id: str, study_uid: str, series_uid: str | None = None,
                   sop_uid: str | None = None) -> list[DicomInstance]:
    """Instances addressed by a WADO-RS path, ordered for retrieval."""
    stmt = (select(DicomInstance).join(DicomStudy, DicomInstance.study_id == DicomStudy.id)
            .join(DicomSeries, DicomInstance.series_id == DicomSeries.id)
            .where(DicomInstance.case_id == case_id, DicomStudy.study_instance_uid == study_uid))
    if series_uid:
        stmt = stmt.where(DicomSeries.series_instance_uid == series_uid)
    if sop_uid:
        stmt = stmt.where(DicomInstance.sop_instance_uid == sop_uid)
    stmt = stmt.order_by(DicomSeries.series_number, DicomInstance.instance_number, DicomInstance.id)
    # The series is already joined: fill the relationship from that join rather than joining it again.
    return list(session.scalars(stmt.options(contains_eager(DicomInstance.series))))
