-- Total wall time per full command line, descending (the seed question): every execution's
-- duration_ns summed per cmdline, with its CPU. Nested executions count in full each (a
-- shell's time includes its children's). Same figures as the report's "Top commands by wall
-- time" (pipetrace report --format json: top_commands).
-- Dataset: SET VARIABLE dataset = 'DIR' (or a glob of many), or replace DATASET; see
-- docs/queries.md.
WITH p AS (
    SELECT * FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/processes.parquet',
                               hive_partitioning = true, union_by_name = true))
SELECT cmdline,
       count(*) AS executions,
       sum(duration_ns) AS wall_ns,
       sum(cpu_ns) AS cpu_ns,
       round(sum(duration_ns) / 1e9, 3) AS wall_s
FROM p
GROUP BY cmdline
ORDER BY wall_ns DESC, cmdline;
