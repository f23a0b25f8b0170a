-- Failed executions: a non-zero exit code, or killed by a signal; in start order per run. The
-- report's "Failed executions" (failed_count, failed) lists the same rows.
-- Dataset: SET VARIABLE dataset = 'DIR' (or a glob of many), or replace DATASET; see
-- docs/queries.md.
WITH p AS (
    SELECT * FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/processes.parquet',
                               hive_partitioning = true, union_by_name = true)),
r AS (
    SELECT run_id, start_time AS run_start
    FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/runs.parquet',
                      hive_partitioning = true, union_by_name = true))
SELECT p.run_id,
       p.exec_id,
       p.cmdline,
       p.exit_code,
       p.signal,
       p.core_dumped,
       p.cwd,
       (epoch_us(p.start_time) - epoch_us(r.run_start)) * 1000 AS start_offset_ns,
       p.duration_ns
FROM p LEFT JOIN r USING (run_id)
WHERE p.exit_code <> 0 OR p.signal IS NOT NULL
ORDER BY p.run_id, p.start_time, p.exec_id;
