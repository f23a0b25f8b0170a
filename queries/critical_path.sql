-- The critical path of each run: the chain of nested executions that determined when it ended
-- (docs/report.md, "The critical path"; the same walk as pipetrace report's critical_path).
--  1. An exec chain (an execution and those whose prev_exec_id continue it) is one step, from
--     its first image's start to its last image's end, named by its last image's cmdline.
--  2. The root step has no parent; of several, the one that ended last.
--  3. Within a step, walking back from its end: the child step that ended last at or before
--     that instant (of equal ends the one that started first), then the child that ended last
--     at or before that child's start, and so on until the step's start.
--  4. The time of a step not covered by its children on the path is its own (self) time.
--  5. Each child on the path is walked the same way.
-- Times are DuckDB's (microseconds); the report works in nanoseconds, so steps less than a
-- microsecond apart may be ordered differently. Rows in time order, a step before the steps
-- nested in it.
-- Dataset: SET VARIABLE dataset = 'DIR' (or a glob of many), or replace DATASET; see
-- docs/queries.md.
WITH RECURSIVE
p AS (
    SELECT run_id, exec_id, parent_exec_id, prev_exec_id, cmdline,
           epoch_us(start_time) AS s, greatest(epoch_us(end_time), epoch_us(start_time)) AS e
    FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/processes.parquet',
                      hive_partitioning = true, union_by_name = true)),
r AS (
    SELECT run_id, epoch_us(start_time) AS run_start,
           epoch_us(end_time) - epoch_us(start_time) AS wall
    FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/runs.parquet',
                      hive_partitioning = true, union_by_name = true)),
-- 1. Every image with the first image (head) of its exec chain, n images after it.
chain(run_id, head, exec_id, n) AS (
    SELECT p.run_id, p.exec_id, p.exec_id, 0
    FROM p LEFT JOIN p AS prev ON prev.run_id = p.run_id AND prev.exec_id = p.prev_exec_id
    WHERE prev.exec_id IS NULL
    UNION ALL
    SELECT p.run_id, chain.head, p.exec_id, chain.n + 1
    FROM chain JOIN p ON p.run_id = chain.run_id AND p.prev_exec_id = chain.exec_id),
step AS (
    SELECT chain.run_id, chain.head AS id, arg_max(chain.exec_id, chain.n) AS last_exec_id,
           arg_max(p.cmdline, chain.n) AS command, max(p.e) AS e
    FROM chain JOIN p USING (run_id, exec_id)
    GROUP BY chain.run_id, chain.head),
-- A step's parent is the step of the image that forked its first image.
tree AS (
    SELECT step.*, head.s,
           CASE WHEN up.head <> step.id THEN up.head END AS parent
    FROM step
    JOIN p AS head ON head.run_id = step.run_id AND head.exec_id = step.id
    LEFT JOIN chain AS up ON up.run_id = head.run_id AND up.exec_id = head.parent_exec_id),
-- 2. The root.
root AS (
    SELECT * FROM tree WHERE parent IS NULL
    QUALIFY row_number() OVER (PARTITION BY run_id ORDER BY e DESC, s, id) = 1),
-- 3. and 5. Each row is a step on the path; from it the walk goes on twice: into the step
-- (its child that ended last by its end) and back from it (the sibling that ended last by its
-- start, in the same parent). `ord` sorts the rows in time order, parents first.
path(run_id, id, owner, owner_s, depth, s, e, ord, owner_ord) AS (
    SELECT run_id, id, NULL::BIGINT, NULL::BIGINT, 0, s, e, []::BIGINT[], []::BIGINT[]
    FROM root
    UNION ALL
    SELECT c.run_id, c.id, c.parent, next.owner_s, next.depth, c.s, c.e,
           list_concat(next.owner_ord, [c.e, -c.s, -c.id]), next.owner_ord
    FROM (
        -- into the step: its children by its end
        SELECT path.run_id, path.id AS source, 'into' AS way, path.id AS parent,
               path.s AS owner_s, path.depth + 1 AS depth, path.e AS bound,
               NULL::BIGINT AS after_e, NULL::BIGINT AS after_s, NULL::BIGINT AS after_id,
               path.ord AS owner_ord
        FROM path
        UNION ALL
        -- back from the step: its siblings by its start, ordered before it (this matters
        -- only when it lasted no time: of equal ends, the earlier start, then lower id first)
        SELECT path.run_id, path.id, 'back', path.owner, path.owner_s, path.depth, path.s,
               path.e, path.s, path.id, path.owner_ord
        FROM path WHERE path.owner IS NOT NULL AND path.s > path.owner_s) AS next
    JOIN tree AS c ON c.run_id = next.run_id AND c.parent = next.parent
    WHERE c.e <= next.bound AND c.e > next.owner_s
      AND (next.after_e IS NULL OR c.e < next.after_e
           OR (c.e = next.after_e AND (c.s > next.after_s
                                       OR (c.s = next.after_s AND c.id > next.after_id))))
    QUALIFY row_number() OVER (PARTITION BY next.run_id, next.source, next.way
                               ORDER BY c.e DESC, c.s, c.id) = 1),
-- 4. Self time: the step minus its children on the path (clipped to the step).
covered AS (
    SELECT run_id, owner AS id, sum(e - greatest(s, owner_s)) AS covered
    FROM path WHERE owner IS NOT NULL GROUP BY run_id, owner)
SELECT path.run_id,
       path.id AS exec_id,
       tree.last_exec_id,
       tree.command,
       path.depth,
       (path.s - r.run_start) * 1000 AS start_offset_ns,
       (path.e - path.s) * 1000 AS duration_ns,
       (path.e - path.s - coalesce(covered.covered, 0)) * 1000 AS self_ns,
       round((path.e - path.s) / nullif(r.wall, 0), 4) AS share
FROM path
JOIN tree USING (run_id, id)
JOIN r USING (run_id)
LEFT JOIN covered USING (run_id, id)
ORDER BY path.run_id, path.ord;
