-- Parallelism and CPU utilisation over time, in buckets of each run (SET VARIABLE bucket_s =
-- 0.5 for half a second; default 1 s): per bucket, the most executions running at one instant
-- (peak), how many ran on average, and the CPU they used — in cores (1.0 = one core busy the
-- whole bucket). The largest peak of a run is the report's peak_parallelism; the CPU of all
-- buckets adds up to its total CPU.
--  * An execution runs over [start_time, end_time); one that ended as it started counts for
--    one microsecond; at one instant, ends come before starts.
--  * CPU comes from the cpu probe's cumulative samples (on by default): what an execution used
--    between two samples (or its start and its first sample) is spread evenly over that
--    interval. Samples are taken every --interval, so finer buckets are only as sharp as that.
-- Dataset: SET VARIABLE dataset = 'DIR' (or a glob of many), or replace DATASET; see
-- docs/queries.md.
WITH p AS (
    SELECT run_id, exec_id, epoch_us(start_time) AS s,
           greatest(epoch_us(end_time), epoch_us(start_time) + 1) AS e
    FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/processes.parquet',
                      hive_partitioning = true, union_by_name = true)),
samples AS (
    SELECT run_id, exec_id, epoch_us(ts) AS t, cpu_ns
    FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/cpu_samples.parquet',
                      hive_partitioning = true, union_by_name = true)),
run AS (
    SELECT run_id, epoch_us(start_time) AS run_start,
           greatest(epoch_us(end_time), epoch_us(start_time) + 1) AS run_end,
           greatest(1, round(coalesce(getvariable('bucket_s'), 1) * 1e6)::BIGINT) AS width
    FROM read_parquet(coalesce(getvariable('dataset'), 'DATASET') || '/runs.parquet',
                      hive_partitioning = true, union_by_name = true)),
buckets AS (
    SELECT run_id, bucket, run_start + bucket * width AS b_start,
           least(run_start + (bucket + 1) * width, run_end) AS b_end
    FROM (SELECT *, unnest(range(0, (run_end - run_start + width - 1) // width)) AS bucket
          FROM run)),
-- The bucket holding instant t (instants outside the run go to its first or last bucket).
placed AS (
    SELECT run.*, (run_end - run_start + width - 1) // width - 1 AS last_bucket FROM run),
-- Running executions after each instant where some start or end.
levels AS (
    SELECT run_id, t, sum(sum(d)) OVER (PARTITION BY run_id ORDER BY t) AS running
    FROM (SELECT run_id, s AS t, 1 AS d FROM p UNION ALL SELECT run_id, e, -1 FROM p)
    GROUP BY run_id, t),
peaks AS (
    SELECT b.run_id, b.bucket,
           greatest(max(l.running), any_value(carried.running)) AS peak
    FROM buckets b
    -- what was running when the bucket began
    ASOF LEFT JOIN levels AS carried ON carried.run_id = b.run_id AND b.b_start >= carried.t
    LEFT JOIN levels AS l ON l.run_id = b.run_id AND l.t >= b.b_start AND l.t < b.b_end
    GROUP BY b.run_id, b.bucket),
-- Each execution's time in each bucket it overlaps.
occupancy AS (
    SELECT p.run_id, b.bucket,
           sum(least(p.e, b.b_end) - greatest(p.s, b.b_start)) AS running_us
    FROM p JOIN buckets b ON b.run_id = p.run_id AND p.s < b.b_end AND p.e > b.b_start
    GROUP BY p.run_id, b.bucket),
-- CPU between consecutive samples of an execution, as an interval [t0, t1] clipped to the run.
intervals AS (
    SELECT samples.run_id, placed.run_start, placed.run_end,
           greatest(least(coalesce(lag(samples.t) OVER w, p.s), samples.t), placed.run_start) AS t0,
           least(greatest(samples.t, placed.run_start), placed.run_end) AS t1,
           samples.cpu_ns - coalesce(lag(samples.cpu_ns) OVER w, 0) AS cpu_ns
    FROM samples
    JOIN p USING (run_id, exec_id)
    JOIN placed USING (run_id)
    WINDOW w AS (PARTITION BY samples.run_id, samples.exec_id ORDER BY samples.t, samples.cpu_ns)),
cpu AS (
    SELECT i.run_id, b.bucket,
           sum(CASE WHEN i.t1 <= i.t0 THEN i.cpu_ns
                    ELSE i.cpu_ns * (least(i.t1, b.b_end) - greatest(i.t0, b.b_start))
                         / (i.t1 - i.t0) END) AS cpu_ns
    FROM intervals i
    JOIN buckets b ON b.run_id = i.run_id
     AND ((i.t1 > i.t0 AND i.t0 < b.b_end AND i.t1 > b.b_start)
          OR (i.t1 <= i.t0 AND (i.t1 >= b.b_start OR b.bucket = 0)
              AND (i.t1 < b.b_end OR b.b_end = i.run_end)))
    GROUP BY i.run_id, b.bucket)
SELECT b.run_id,
       b.bucket,
       (b.b_start - run.run_start) / 1e6 AS start_s,
       (b.b_end - b.b_start) / 1e6 AS width_s,
       coalesce(peaks.peak, 0) AS peak_running,
       round(coalesce(occupancy.running_us, 0) / (b.b_end - b.b_start), 3) AS average_running,
       round(coalesce(cpu.cpu_ns, 0))::BIGINT AS cpu_ns,
       round(coalesce(cpu.cpu_ns, 0) / ((b.b_end - b.b_start) * 1000), 3) AS cpu_cores
FROM buckets b
JOIN run USING (run_id)
LEFT JOIN peaks USING (run_id, bucket)
LEFT JOIN occupancy USING (run_id, bucket)
LEFT JOIN cpu USING (run_id, bucket)
ORDER BY b.run_id, b.bucket;
