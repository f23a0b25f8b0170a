-- Total CPU per binary (the seed question): the maximum cumulative CPU of each execution, from
-- the cpu probe's samples, summed per binary (filename). Equal to summing processes.cpu_ns per
-- binary, because every execution's last sample is its final figure; the report's "Top
-- binaries by CPU" (top_binaries) gives the same numbers. Needs the cpu probe (on by default).
-- Dataset: SET VARIABLE dataset = 'DIR' (or a glob of many), or replace DATASET; see
-- docs/queries.md.
WITH s AS (
    SELECT * FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/cpu_samples.parquet',
                               hive_partitioning = true, union_by_name = true)),
p AS (
    SELECT * FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/processes.parquet',
                               hive_partitioning = true, union_by_name = true)),
per_execution AS (
    SELECT run_id, exec_id, max(cpu_ns) AS max_cpu_ns FROM s GROUP BY run_id, exec_id)
SELECT p.filename AS binary,
       count(*) AS executions,
       sum(per_execution.max_cpu_ns) AS cpu_ns,
       round(sum(per_execution.max_cpu_ns) / 1e9, 3) AS cpu_s
FROM per_execution
JOIN p USING (run_id, exec_id)
GROUP BY p.filename
ORDER BY cpu_ns DESC, "binary" NULLS FIRST;
