"""`import_workbook`: a whole workbook in one transaction, or nothing, with the row-by-row report.

Order: read and check the file; validate every row on its own (formats, required cells); then
apply the rows sheet by sheet in the order of `columns.SHEETS` (the tree, the rolls, the pipeline,
the movements, the quotas), each row in a savepoint so that every row is tried and reported; and
roll the whole transaction back if any row was refused or the run is a dry run.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from members import scoping
from members import services as member_services
from members.models import Member, Organisation

from ..progress.jobs import coalesced_recompute
from . import apply, cells, guard, reader
from .columns import CANDIDATES, MEMBERS, MOVEMENTS, ORGANISATIONS, SHEETS, MovementChoice
from .report import ImportResult, Issue, SheetCounts
from .rows import Problem, validate_row

Progress = Callable[[int, int], None]


def inspect_workbook(data: bytes) -> tuple[int, list[Issue]]:
    """The file's data rows, or why the file is refused as a whole (cheap: nothing is validated)."""
    workbook, issues = reader.open_workbook(data)
    if workbook is None:
        return 0, issues
    try:
        total = reader.count_rows(workbook)
    except guard.Refused as refused:
        return 0, [reader.refusal(refused)]
    finally:
        workbook.close()
    if total > reader.MAX_ROWS:
        return total, [reader.too_many_rows(total)]
    return total, []


# Up to this size a workbook is counted row by row in a fraction of a second.
COUNT_BYTES = 1024 * 1024


def estimate_workbook(data: bytes) -> tuple[int | None, list[Issue]]:
    """Like `inspect_workbook`, but without reading the rows when the sheets state their size: what a
    web request needs to choose between importing now and in the background. An estimate over the
    row limit is checked row by row by the import itself, so a sheet padded with empty formatted rows
    is not refused for them."""
    workbook, issues = reader.open_workbook(data)
    if workbook is None:
        return 0, issues
    try:
        estimate = reader.estimated_rows(workbook)
    finally:
        workbook.close()
    if estimate is not None:
        return estimate, []
    # No dimension records (some tools write none): count a small file, call a large one unknown.
    return inspect_workbook(data) if len(data) <= COUNT_BYTES else (None, [])


def _issue(row: reader.RawRow, problem: Problem) -> Issue:
    column = row.spec.column(problem.column) if problem.column else None
    return Issue(
        sheet=row.spec.title,
        row=row.number,
        column=column.header if column else "",
        value=cells.shown(row.raw.get(problem.column)) if problem.column else "",
        message=problem.message,
        rule=problem.rule,
    )


def import_workbook(
    data: bytes,
    *,
    user=None,
    within: Organisation | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    bulk: bool = True,
) -> ImportResult:
    """`user` None is an administrator's import (command line); `within` narrows the rows to one unit's
    subtree (the unit whose import page was used), inside what the user may see anyway.

    `bulk` False walks every candidate row through the services one by one (apply/candidates.py), the
    reference the bulk path (apply/bulk_candidates.py) is compared with; the outcome is the same."""
    result = ImportResult(dry_run=dry_run)
    workbook, file_issues = reader.open_workbook(data)
    if workbook is None:
        result.issues, result.refused_file = file_issues, True
        return result
    try:
        raw_rows = []
        for row in reader.rows(workbook):
            raw_rows.append(row)
            if len(raw_rows) > reader.MAX_ROWS:
                result.issues, result.refused_file = [reader.too_many_rows(len(raw_rows))], True
                return result
    except guard.Refused as refused:
        result.issues, result.refused_file = [reader.refusal(refused)], True
        return result
    finally:
        workbook.close()

    for spec in SHEETS:
        result.counts[spec.title] = SheetCounts()
    validated: dict[str, list[tuple[reader.RawRow, dict]]] = {spec.key: [] for spec in SHEETS}
    for row in raw_rows:
        values, problems = validate_row(row.spec, row.raw, row.formulas)
        result.counts[row.spec.title].rows += 1
        if problems:
            result.issues += [_issue(row, p) for p in problems]
        else:
            validated[row.spec.key].append((row, values))
    result.counts = {title: c for title, c in result.counts.items() if c.rows}

    total, done = len(raw_rows), 0
    step = max(1, total // 100)

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None and (done % step == 0 or done == total):
            progress(done, total)

    # Rows refused while validating are counted as done: the bar measures the work, not success.
    for _row in range(total - sum(len(v) for v in validated.values())):
        tick()

    with transaction.atomic(), coalesced_recompute():
        ctx = _context(user, within)
        for spec in SHEETS:
            rows = validated[spec.key]
            if spec is MOVEMENTS:
                # Applied in date order whatever order they were typed in: each builds on the last.
                rows = sorted(rows, key=lambda rv: (rv[1]["date"], rv[0].number))
            if spec is MEMBERS:
                _note_transfers_in(ctx, validated[MOVEMENTS.key])
            if spec is ORGANISATIONS:
                _apply_organisations(ctx, rows, result, tick)
                continue
            if spec is MOVEMENTS:
                _apply_movements_and_merges(ctx, rows, result, tick)
            elif spec is CANDIDATES and bulk:
                apply.apply_candidates(
                    ctx, rows, result, tick, lambda row, values: _apply_one(ctx, CANDIDATES, row, values, result)
                )
            else:
                for row, values in rows:
                    _apply_one(ctx, spec, row, values, result)
                    tick()
            if spec is MOVEMENTS:
                _check_final_cells(ctx, validated[MEMBERS.key], result)
                _attach_helpers(ctx, validated[CANDIDATES.key], result, bulk)
        if result.issues or dry_run:
            transaction.set_rollback(True)
    result.issues.sort(key=lambda i: ([s.title for s in SHEETS].index(i.sheet) if i.sheet else -1, i.row or 0))
    return result


def _context(user, within: Organisation | None) -> apply.Context:
    visible = None if user is None or scoping._sees_everything(user) else scoping.root_paths(user)
    roots = visible
    if within is not None:
        # Only the part of the unit's subtree the user covers (all of it, when the page let them in).
        covered = roots is None or any(within.path.startswith(r) for r in roots)
        roots = [within.path] if covered else [r for r in roots if r.startswith(within.path)]
    orgs = {org.code: org for org in Organisation.objects.all()}
    return apply.Context(user=user, roots=roots, visible=visible, today=timezone.localdate(), orgs=orgs)


def _apply_one(ctx, spec, row, values, result) -> str | None:
    fn = apply.APPLY[spec.key]
    try:
        with transaction.atomic():
            outcome = fn(ctx, values, row.number)
    except apply.RowRefused as refused:
        result.issues += [_issue(row, p) for p in refused.problems]
        return None
    counts = result.counts[spec.title]
    setattr(counts, outcome, getattr(counts, outcome) + 1)
    return outcome


def _apply_organisations(ctx, rows, result, tick) -> None:
    """Parents may come after their children in the sheet: create in passes until none is left."""
    pending = list(rows)
    while pending:
        waiting = []
        for row, values in pending:
            parent = values.get("parent_code")
            if parent and parent not in ctx.orgs and any(v.get("code") == parent for _r, v in pending):
                waiting.append((row, values))
                continue
            _apply_one(ctx, ORGANISATIONS, row, values, result)
            tick()
        if len(waiting) == len(pending):  # a cycle: each waits for another
            for row, _values in waiting:
                result.issues.append(
                    _issue(
                        row, Problem("parent_code", "Các tổ chức cấp trên của nhau theo vòng tròn.", apply.RULE_TREE)
                    )
                )
                tick()
            break
        pending = waiting
    # Dissolutions and merges once every unit exists: the deepest first, in date order.
    # A code outside the rows' scope was refused with its row already; it is not looked up again.
    ends = [(r, v) for r, v in rows if v.get("dissolved_on") and v["code"] in ctx.orgs]
    ends = [(r, v) for r, v in ends if ctx.in_scope(ctx.orgs[v["code"]].path)]
    ends.sort(key=lambda rv: (rv[1]["dissolved_on"], -len(ctx.orgs[rv[1]["code"]].path)))
    for row, values in ends:
        try:
            with transaction.atomic():
                changed = apply.apply_dissolution(ctx, values, row.number)
        except apply.RowRefused as refused:
            result.issues += [_issue(row, p) for p in refused.problems]
            continue
        counts = result.counts[ORGANISATIONS.title]
        if changed and counts.unchanged:
            counts.unchanged -= 1
            counts.updated += 1


def _apply_movements_and_merges(ctx, rows, result, tick) -> None:
    """Movement rows in date order, with every merge of a cell as one more event on its date.

    A merge moves the members of the merged cell into its successor (members.services.organisation_merge),
    but the organisation sheet is applied before the members it lists exist: the members this import
    recorded who are still active in a merged cell once that day's rows are applied move then, with the
    same movements organisation_merge writes. A row that already moves a member out of the merged cell
    on the merge date (an explicit transfer) is applied first, and the merge then finds nobody to move.
    """
    # The cells this import's members are in or are moved to, and the successors they merge into.
    by_pk = {org.pk: org for org in ctx.orgs.values()}
    relevant = set(Member.objects.filter(pk__in=list(ctx.final_cells)).values_list("cell_id", flat=True))
    relevant |= {ctx.orgs[v["to_cell_code"]].pk for _r, v in rows if v.get("to_cell_code") in ctx.orgs}
    frontier = set(relevant)
    while frontier:
        frontier = {by_pk[pk].merged_into_id for pk in frontier if pk in by_pk and by_pk[pk].merged_into_id}
        frontier -= relevant
        relevant |= frontier
    merges = sorted(
        (by_pk[pk] for pk in relevant if pk in by_pk and by_pk[pk].merged_into_id and by_pk[pk].dissolved_on),
        key=lambda org: (org.dissolved_on, -len(org.path)),
    )
    pending = list(rows)

    def merge(org) -> None:
        if ctx.final_cells:
            member_services.merged_cell_move_members(organisation=org, member_ids=list(ctx.final_cells))

    for org in merges:
        while pending and pending[0][1]["date"] <= org.dissolved_on:
            row, values = pending.pop(0)
            _apply_one(ctx, MOVEMENTS, row, values, result)
            tick()
        merge(org)
    for row, values in pending:
        _apply_one(ctx, MOVEMENTS, row, values, result)
        tick()


def _note_transfers_in(ctx, movement_rows) -> None:
    for _row, values in movement_rows:
        if values["kind"] == MovementChoice.TRANSFERRED_IN:
            ctx.transferred_in.setdefault(apply.person_key(values), values["to_cell_code"])


def _attach_helpers(ctx, candidate_rows, result, bulk: bool = True) -> None:
    by_number = {row.number: row for row, _values in candidate_rows}

    def one(candidate_pk: int, helper: tuple[int, str]) -> None:
        number, reference = helper
        try:
            with transaction.atomic():
                apply.attach_helper(ctx, candidate_pk, reference)
        except apply.RowRefused as refused:
            result.issues += [_issue(by_number[number], p) for p in refused.problems]

    if bulk:
        apply.attach_helpers(ctx, one)  # those who pass at once; `one` says why the others do not
        return
    for candidate_pk, helper in ctx.helpers.items():
        one(candidate_pk, helper)


def _check_final_cells(ctx, member_rows, result) -> None:
    by_number = {row.number: row for row, _values in member_rows}
    for number, problem in apply.final_cell_problems(ctx):
        result.issues.append(_issue(by_number[number], problem))
