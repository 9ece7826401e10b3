//! Waiting on the jobs scheduler: until a job's view passes a test, with
//! a deadline that fails the test.

use std::time::Duration;

use scpdeck::jobs::{JobId, JobView, Scheduler};

/// The view of `job` once `done` holds for it; panics (with the whole
/// queue) after 60 seconds, naming `what` was awaited.
pub async fn until(s: &Scheduler, job: JobId, what: &str, done: impl Fn(&JobView) -> bool) -> JobView {
    let mut rx = s.subscribe();
    let wait = async {
        loop {
            if let Some(view) = rx.borrow_and_update().job(job).filter(|j| done(j)) {
                return view.clone();
            }
            if rx.changed().await.is_err() {
                panic!("the scheduler stopped");
            }
        }
    };
    match tokio::time::timeout(Duration::from_secs(60), wait).await {
        Ok(view) => view,
        Err(_) => panic!("timed out waiting for {what}: {:#?}", s.view()),
    }
}
