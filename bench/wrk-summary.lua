-- wrk's summary as one machine-readable line (bench/api-throughput reads it):
--   RESULT requests=N seconds=S bytes=B connect=N read=N write=N status=N timeout=N
--          p50_us=N p90_us=N p99_us=N max_us=N mean_us=X
-- status counts the replies with a status above 399; the others are socket errors.
-- The token goes in with wrk's -H, not here.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f bytes=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
    "p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f\n",
    summary.requests, summary.duration / 1e6, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
