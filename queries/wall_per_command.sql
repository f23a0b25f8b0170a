-- Total wall time per full command line, descending (the seed question).
-- Point it at a dataset by replacing DATASET (or several: 'runs/*/processes.parquet').
SELECT cmdline,
       count(*) AS executions,
       sum(duration_ns) AS wall_ns,
       round(sum(duration_ns) / 1e9, 3) AS wall_s
FROM 'DATASET/processes.parquet'
GROUP BY cmdline
ORDER BY wall_ns DESC;
