//! Connection threads and the pool against real sshd servers: jobs on the
//! owning thread, keepalives the server really receives, dead and killed
//! connections detected and re-established, limits, and browsing that never
//! waits behind a transfer.

mod support;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scpdeck::ssh::{
    self, Actor, ConnectError, ConnectionEvent, Credentials, HostConfig, NoPrompter, Overrides, Pool,
    PoolLimits, PromptAnswer, Prompter, Question, Resolver,
};
use support::{Sshd, password_user};

fn resolve(sshd: &Sshd, options: &[&str]) -> HostConfig {
    let overrides = Overrides {
        config_file: Some(sshd.ssh_config()),
        options: options.iter().map(|o| o.to_string()).collect(),
        ..Overrides::default()
    };
    Resolver::system().resolve_str(sshd.alias(), &overrides).unwrap()
}

fn exec(session: scpdeck::ssh::Link<'_>, command: &str) -> Result<String, String> {
    let mut channel = session.channel_session().map_err(|e| e.to_string())?;
    channel.exec(command).map_err(|e| e.to_string())?;
    let mut out = String::new();
    channel.read_to_string(&mut out).map_err(|e| e.to_string())?;
    channel.wait_close().map_err(|e| e.to_string())?;
    Ok(out)
}

fn spawn_actor(config: &HostConfig) -> (Actor, Arc<Mutex<Vec<ConnectionEvent>>>) {
    let (sink, events) = ssh::collect_events();
    let actor =
        Actor::spawn(config.clone(), Arc::new(NoPrompter), Arc::new(Credentials::new()), Some(sink)).unwrap();
    (actor, events)
}

/// Waits until `check` holds for the events, or fails after `limit`.
fn wait_for_event(
    events: &Mutex<Vec<ConnectionEvent>>,
    limit: Duration,
    check: impl Fn(&ConnectionEvent) -> bool,
) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if events.lock().unwrap().iter().any(&check) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no such event within {limit:?}: {:?}", events.lock().unwrap());
}

fn keepalive_lines(log: &str) -> usize {
    log.lines().filter(|l| l.contains("global_request") && l.contains("keepalive@libssh2.org")).count()
}

#[test]
fn jobs_run_on_the_connection_thread_sync_and_async() {
    let sshd = Sshd::start();
    let (actor, events) = spawn_actor(&resolve(&sshd, &[]));
    let caller = std::thread::current().id();
    let (first, thread) = actor.run(|s| (exec(s, "echo one").unwrap(), std::thread::current().id())).unwrap();
    assert_eq!(first, "one\n");
    assert_ne!(thread, caller);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let (second, again) = runtime
        .block_on(actor.run_async(|s| (exec(s, "echo two").unwrap(), std::thread::current().id())))
        .unwrap();
    assert_eq!((second.as_str(), again), ("two\n", thread));
    assert_eq!(sshd.accepted_logins(), 1);
    assert!(matches!(&events.lock().unwrap()[..], [ConnectionEvent::Connected { reconnect: false, .. }]));
}

#[test]
fn connect_errors_come_back_through_run() {
    let closed = support::closed_port::closed_port();
    let port = closed.port;
    let mut config = HostConfig::defaults("gone", "nobody");
    config.hostname = "127.0.0.1".into();
    config.port = port;
    let (actor, _) = spawn_actor(&config);
    let err = actor.run(|_| ()).unwrap_err();
    assert!(matches!(err, ConnectError::TcpConnect { .. }), "{err}");
    assert!(err.to_string().starts_with("gone (127.0.0.1:"), "{err}");
}

#[test]
fn keepalives_reach_the_server_at_server_alive_interval() {
    let sshd = Sshd::builder().log_level("DEBUG3").start();
    let (actor, _) = spawn_actor(&resolve(&sshd, &["ServerAliveInterval=1"]));
    actor.connect().unwrap();
    let before = keepalive_lines(&sshd.log());
    std::thread::sleep(Duration::from_millis(3600));
    let sent = keepalive_lines(&sshd.log()) - before;
    assert!((2..=5).contains(&sent), "{sent} keepalives in 3.6s:\n{}", sshd.log());
    // And the connection is still fine (the replies were read).
    assert_eq!(actor.run(|s| exec(s, "echo alive").unwrap()).unwrap(), "alive\n");
    assert_eq!(sshd.accepted_logins(), 1);

    // None without ServerAliveInterval.
    let quiet = Sshd::builder().log_level("DEBUG3").start();
    let (idle, _) = spawn_actor(&resolve(&quiet, &["ServerAliveInterval=0"]));
    idle.connect().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(keepalive_lines(&quiet.log()), 0);
}

#[test]
fn a_hung_server_is_declared_dead_after_server_alive_count_max() {
    let sshd = Sshd::start();
    let config = resolve(&sshd, &["ServerAliveInterval=1", "ServerAliveCountMax=2"]);
    let (actor, events) = spawn_actor(&config);
    actor.connect().unwrap();
    sshd.stop_connections();
    let started = Instant::now();
    wait_for_event(&events, Duration::from_secs(10), |e| {
        matches!(e, ConnectionEvent::Dropped(ConnectError::Dropped { host, detail })
            if host == &config.label() && detail.contains("keepalives"))
    });
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(1500), "declared dead too early: {elapsed:?}");
    sshd.continue_connections();
    assert_eq!(actor.run(|s| exec(s, "echo back").unwrap()).unwrap(), "back\n");
    assert_eq!(sshd.accepted_logins(), 2);
}

#[test]
fn a_killed_connection_is_reported_and_reestablished_by_the_pool() {
    let sshd = Sshd::start();
    let config = resolve(&sshd, &[]);
    let (sink, events) = ssh::collect_events();
    let pool = Pool::new(Arc::new(NoPrompter), PoolLimits::default()).with_events(sink);
    let browser = pool.browser(&config).unwrap();
    assert_eq!(browser.run(|s| exec(s, "echo first").unwrap()).unwrap(), "first\n");

    // Killed while idle: noticed, reported naming the host, and the next
    // job connects again.
    sshd.kill_connections();
    wait_for_event(
        &events,
        Duration::from_secs(5),
        |e| matches!(e, ConnectionEvent::Dropped(err) if err.to_string().starts_with(&config.label())),
    );
    assert_eq!(browser.run(|s| exec(s, "echo second").unwrap()).unwrap(), "second\n");
    assert_eq!(sshd.accepted_logins(), 2);

    // Killed in the middle of a job: the job sees its own error, the drop is
    // reported, and the next job connects again.
    let inflight = std::thread::scope(|scope| {
        // Kill only once the remote command is really running: a fixed
        // sleep races with a loaded machine.
        let started = sshd.path("job-started");
        let command = format!("touch '{}'; sleep 5; echo never", started.display());
        let browser = &browser;
        let job = scope.spawn(move || browser.run(move |s| exec(s, &command)));
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !started.exists() {
            assert!(std::time::Instant::now() < deadline, "the job never started");
            std::thread::sleep(Duration::from_millis(10));
        }
        sshd.kill_connections();
        job.join().unwrap()
    });
    assert!(inflight.unwrap().is_err(), "the interrupted job must fail");
    let drops = || events.lock().unwrap().iter().filter(|e| matches!(e, ConnectionEvent::Dropped(_))).count();
    // The job's reply leaves before the connection thread reports the drop.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while drops() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(drops(), 2);
    assert_eq!(browser.run(|s| exec(s, "echo third").unwrap()).unwrap(), "third\n");
    assert_eq!(sshd.accepted_logins(), 3);
    let reconnects = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, ConnectionEvent::Connected { reconnect: true, .. }))
        .count();
    assert_eq!(reconnects, 2);
}

#[test]
fn transfers_respect_per_host_and_global_limits_and_reuse_connections() {
    let a = Sshd::start();
    let b = Sshd::start();
    let (config_a, config_b) = (resolve(&a, &[]), resolve(&b, &[]));
    let pool = Pool::new(Arc::new(NoPrompter), PoolLimits { per_host: 2, global: 3 });
    let running = Arc::new(AtomicUsize::new(0));
    let peak_total = Arc::new(AtomicUsize::new(0));
    let running_a = Arc::new(AtomicUsize::new(0));
    let peak_a = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|scope| {
        for i in 0..8 {
            let config = if i % 2 == 0 { &config_a } else { &config_b };
            let on_a = i % 2 == 0;
            let (pool, running, peak_total, running_a, peak_a) =
                (&pool, &running, &peak_total, &running_a, &peak_a);
            scope.spawn(move || {
                let lease = pool.transfer(config).unwrap();
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak_total.fetch_max(now, Ordering::SeqCst);
                if on_a {
                    let now_a = running_a.fetch_add(1, Ordering::SeqCst) + 1;
                    peak_a.fetch_max(now_a, Ordering::SeqCst);
                }
                lease.run(|s| exec(s, "sleep 0.3").unwrap()).unwrap();
                if on_a {
                    running_a.fetch_sub(1, Ordering::SeqCst);
                }
                running.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    assert_eq!(peak_total.load(Ordering::SeqCst), 3);
    assert!(peak_a.load(Ordering::SeqCst) <= 2);
    // Connections are kept and reused: never more than the per-host limit.
    assert!(
        a.accepted_logins() <= 2 && b.accepted_logins() <= 2,
        "{} {}",
        a.accepted_logins(),
        b.accepted_logins()
    );
}

#[test]
fn browsing_never_waits_behind_a_transfer() {
    let sshd = Sshd::start();
    let config = resolve(&sshd, &[]);
    let pool = Pool::new(Arc::new(NoPrompter), PoolLimits::default());
    let browser = pool.browser(&config).unwrap();
    browser.connect().unwrap();
    let lease = pool.transfer(&config).unwrap();
    lease.connect().unwrap();
    std::thread::scope(|scope| {
        let transfer = scope.spawn(|| lease.run(|s| exec(s, "sleep 3").unwrap()).unwrap());
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        assert_eq!(browser.run(|s| exec(s, "echo listing").unwrap()).unwrap(), "listing\n");
        assert!(started.elapsed() < Duration::from_millis(2000), "browsing waited {:?}", started.elapsed());
        transfer.join().unwrap();
    });
}

/// Counts password questions and answers with the right password.
struct Counting {
    password: String,
    asked: AtomicUsize,
}

impl Prompter for Counting {
    fn ask(&self, question: &Question) -> PromptAnswer {
        match question {
            Question::Password { .. } => {
                self.asked.fetch_add(1, Ordering::SeqCst);
                PromptAnswer::Secret(self.password.clone())
            }
            _ => PromptAnswer::Cancelled,
        }
    }
}

#[test]
fn a_password_is_asked_once_for_all_of_a_hosts_connections() {
    let user = password_user();
    let sshd = Sshd::builder().password_auth().start();
    let config_file = sshd.path("pw_config");
    std::fs::write(
        &config_file,
        format!(
            "Host pw\n  HostName 127.0.0.1\n  Port {}\n  User {}\n  IdentityFile /nonexistent\n  IdentitiesOnly yes\n  \
             IdentityAgent none\n  UserKnownHostsFile {}\n  StrictHostKeyChecking yes\n",
            sshd.port,
            user.name,
            sshd.path("known_hosts").display()
        ),
    )
    .unwrap();
    let config = Resolver::system()
        .resolve_str("pw", &Overrides { config_file: Some(config_file.clone()), ..Overrides::default() })
        .unwrap();
    let prompter = Arc::new(Counting { password: user.password.clone(), asked: AtomicUsize::new(0) });
    let pool = Pool::new(prompter.clone(), PoolLimits::default());
    pool.browser(&config).unwrap().connect().unwrap();
    let one = pool.transfer(&config).unwrap();
    let two = pool.transfer(&config).unwrap();
    one.connect().unwrap();
    two.connect().unwrap();
    assert_eq!(sshd.accepted_logins(), 3);
    assert_eq!(prompter.asked.load(Ordering::SeqCst), 1);
}
