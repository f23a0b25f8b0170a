-- Total CPU per binary (the seed question): the maximum cumulative CPU of each execution,
-- from the cpu probe's samples, summed per binary. Equal to summing processes.cpu_ns per
-- binary, because every execution's last sample is its final figure.
-- Point it at a dataset by replacing DATASET (or several: 'runs/*/cpu_samples.parquet').
SELECT p.filename AS binary,
       count(*) AS executions,
       sum(s.max_cpu_ns) AS cpu_ns,
       round(sum(s.max_cpu_ns) / 1e9, 3) AS cpu_s
FROM (
    SELECT run_id, exec_id, max(cpu_ns) AS max_cpu_ns
    FROM 'DATASET/cpu_samples.parquet'
    GROUP BY run_id, exec_id
) AS s
JOIN 'DATASET/processes.parquet' AS p USING (run_id, exec_id)
GROUP BY p.filename
ORDER BY cpu_ns DESC;
