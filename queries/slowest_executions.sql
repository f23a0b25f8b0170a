-- The slowest single executions: the longest duration_ns first (of equal ones the earlier),
-- with their CPU and how they ended. The report's "Slowest executions" (slowest) shows the same
-- ones. Rows: SET VARIABLE top = N (default 10).
-- Dataset: SET VARIABLE dataset = 'DIR' (or a glob of many), or replace DATASET; see
-- docs/queries.md.
WITH p AS (
    SELECT * FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/processes.parquet',
                               hive_partitioning = true, union_by_name = true))
SELECT run_id,
       exec_id,
       cmdline,
       filename AS binary,
       duration_ns,
       cpu_ns,
       max_rss_kb,
       exit_code,
       signal,
       end_reason,
       round(duration_ns / 1e9, 3) AS duration_s
FROM p
ORDER BY duration_ns DESC, start_time, exec_id
LIMIT coalesce(getvariable('top'), 10);
