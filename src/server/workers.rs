//! The pool searches run in: at most so many at once, first come first served.
//!
//! The embedded engine's searches are CPU-bound. Sixteen of them sharing two cores each take
//! eight times their own time, so one long query stretches every request beside it; queued
//! instead, each runs at a core's full speed once its turn comes, which shortens the tail at
//! the same throughput. A cluster's searches mostly wait on the network, so its pool is wider.

use super::metrics::PoolMetrics;
use prometheus_client::metrics::gauge::Gauge;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Searches the embedded engine runs at once per core.
const EMBEDDED_PER_CORE: usize = 2;

/// Searches a cluster's client runs at once per core (each mostly waits for an answer).
const CLUSTER_PER_CORE: usize = 16;

/// Permits for running searches on the blocking pool.
#[derive(Clone)]
pub struct Workers {
    permits: Arc<Semaphore>,
    size: usize,
    metrics: PoolMetrics,
}

/// Why [`Workers::run`] gave no answer.
#[derive(Debug)]
pub enum NotRun {
    /// The deadline passed, waiting for a turn or running.
    TimedOut,
    /// The work panicked or was cancelled.
    Failed(tokio::task::JoinError),
}

impl Workers {
    /// A pool running at most `size` searches at once (at least one).
    pub fn new(size: usize) -> Workers {
        let size = size.clamp(1, Semaphore::MAX_PERMITS);
        Workers { permits: Arc::new(Semaphore::new(size)), size, metrics: PoolMetrics::default() }
    }

    /// The pool, counting into `metrics` (the service's, for `/metrics`).
    pub fn observed(mut self, metrics: PoolMetrics) -> Workers {
        metrics.size.set(i64::try_from(self.size).unwrap_or(i64::MAX));
        self.metrics = metrics;
        self
    }

    /// The pool for the embedded engine, whose searches are CPU-bound.
    pub fn embedded() -> Workers {
        Workers::new(cores() * EMBEDDED_PER_CORE)
    }

    /// The pool for a cluster's client, whose searches mostly wait on the network.
    pub fn cluster() -> Workers {
        Workers::new(cores() * CLUSTER_PER_CORE)
    }

    /// How many searches run at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Runs `f` on the blocking pool when a turn is free, answering by `deadline`. Work that
    /// outlives its deadline keeps its turn until it ends, since it still holds a core.
    pub async fn run<T: Send + 'static>(
        &self,
        deadline: Instant,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, NotRun> {
        let asked = Instant::now();
        let turn = {
            let _waiting = Count::up(&self.metrics.waiting);
            tokio::time::timeout_at(deadline, self.permits.clone().acquire_owned()).await
        };
        self.metrics.wait.observe(asked.elapsed().as_secs_f64());
        let Ok(Ok(permit)) = turn else {
            self.metrics.timed_out.inc();
            return Err(NotRun::TimedOut);
        };
        let running = self.metrics.running.clone();
        let task = tokio::task::spawn_blocking(move || {
            let _turn = permit;
            let _running = Count::up(&running);
            f()
        });
        match tokio::time::timeout_at(deadline, task).await {
            Err(_) => Err(NotRun::TimedOut),
            Ok(Err(join)) => Err(NotRun::Failed(join)),
            Ok(Ok(value)) => Ok(value),
        }
    }
}

/// One in a gauge for as long as it lives (so a cancelled wait or a panic still counts down).
struct Count<'a>(&'a Gauge<i64>);

impl<'a> Count<'a> {
    fn up(gauge: &'a Gauge<i64>) -> Count<'a> {
        gauge.inc();
        Count(gauge)
    }
}

impl Drop for Count<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The cores this process may use.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_pool_queues_work_and_a_late_turn_times_out() {
        let metrics = PoolMetrics::default();
        let pool = Workers::new(1).observed(metrics.clone());
        assert_eq!(metrics.size.get(), 1);
        let (started, release) = (Arc::new(std::sync::Barrier::new(2)), Arc::new(std::sync::Barrier::new(2)));
        let far = Instant::now() + Duration::from_secs(30);
        let (s, r) = (started.clone(), release.clone());
        let busy = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.run(far, move || {
                    s.wait();
                    r.wait();
                    1
                })
                .await
            }
        });
        tokio::task::spawn_blocking(move || started.wait()).await.unwrap();
        assert_eq!((metrics.running.get(), metrics.waiting.get()), (1, 0));
        // The one turn is taken: a search due soon gives up waiting for it.
        let late = pool.run(Instant::now() + Duration::from_millis(50), || 2).await;
        assert!(matches!(late, Err(NotRun::TimedOut)), "{late:?}");
        assert_eq!((metrics.timed_out.get(), metrics.waiting.get()), (1, 0));
        // One that can wait runs once the turn is free.
        let waiting = tokio::spawn({
            let pool = pool.clone();
            async move { pool.run(far, || 3).await }
        });
        while metrics.waiting.get() == 0 {
            tokio::task::yield_now().await;
        }
        tokio::task::spawn_blocking(move || release.wait()).await.unwrap();
        assert_eq!(busy.await.unwrap().unwrap(), 1);
        assert_eq!(waiting.await.unwrap().unwrap(), 3);
        assert_eq!(pool.size(), 1);
        assert_eq!((metrics.running.get(), metrics.waiting.get(), metrics.timed_out.get()), (0, 0, 1));
    }
}
