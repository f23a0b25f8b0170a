-- Per step: the commands the traced command ran itself (the children of its root step — for
-- `pipetrace run -- sh build.sh`, each command of the script), each with everything it ran in
-- turn: when it started (from the run's start), how long it took, how many executions it made
-- up, their CPU and failures. The root's own exec chain (`sh -c 'exec make'`) counts as the
-- root. In start order.
-- Dataset: SET VARIABLE dataset = 'DIR' (or a glob of many), or replace DATASET; see
-- docs/queries.md.
WITH RECURSIVE
p AS (
    SELECT * FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/processes.parquet',
                               hive_partitioning = true, union_by_name = true)),
r AS (
    SELECT run_id, start_time AS run_start
    FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/runs.parquet',
                      hive_partitioning = true, union_by_name = true)),
-- The root (no parent) and the images that continue it after exec.
root(run_id, exec_id) AS (
    SELECT run_id, exec_id FROM p WHERE parent_exec_id IS NULL
    UNION
    SELECT p.run_id, p.exec_id FROM root JOIN p ON p.run_id = root.run_id
                                              AND p.prev_exec_id = root.exec_id),
step AS (
    SELECT p.run_id, p.exec_id AS step
    FROM p JOIN root ON p.run_id = root.run_id AND p.parent_exec_id = root.exec_id
    WHERE p.prev_exec_id IS NULL),
-- Every execution under a step: its children, and its later images after exec.
member(run_id, step, exec_id) AS (
    SELECT run_id, step, step FROM step
    UNION
    SELECT p.run_id, member.step, p.exec_id
    FROM member JOIN p ON p.run_id = member.run_id
                      AND (p.parent_exec_id = member.exec_id OR p.prev_exec_id = member.exec_id))
SELECT member.run_id,
       member.step AS exec_id,
       arg_min(p.cmdline, p.exec_id) FILTER (WHERE p.exec_id = member.step) AS command,
       (epoch_us(min(p.start_time)) - epoch_us(any_value(r.run_start))) * 1000 AS start_offset_ns,
       (epoch_us(max(p.end_time)) - epoch_us(min(p.start_time))) * 1000 AS duration_ns,
       count(*) AS executions,
       sum(p.cpu_ns) AS cpu_ns,
       count(*) FILTER (WHERE p.exit_code <> 0 OR p.signal IS NOT NULL) AS failed,
       max(p.max_rss_kb) AS max_rss_kb
FROM member
JOIN p USING (run_id, exec_id)
JOIN r USING (run_id)
GROUP BY member.run_id, member.step
ORDER BY member.run_id, start_offset_ns, member.step;
