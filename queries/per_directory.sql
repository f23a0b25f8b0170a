-- Per working directory (cwd, best effort): how many executions ran there, their wall time,
-- CPU and failures, the most CPU first. Wall times of nested executions add up in full.
-- Dataset: SET VARIABLE dataset = 'DIR' (or a glob of many), or replace DATASET; see
-- docs/queries.md.
WITH p AS (
    SELECT * FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/processes.parquet',
                               hive_partitioning = true, union_by_name = true))
SELECT cwd,
       count(*) AS executions,
       count(DISTINCT cmdline) AS commands,
       sum(duration_ns) AS wall_ns,
       sum(cpu_ns) AS cpu_ns,
       count(*) FILTER (WHERE exit_code <> 0 OR signal IS NOT NULL) AS failed,
       max(max_rss_kb) AS max_rss_kb
FROM p
GROUP BY cwd
ORDER BY cpu_ns DESC, cwd NULLS FIRST;
