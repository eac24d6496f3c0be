//! The seeded convergence simulation (see `src/sim.rs` and `src/sim_check.rs`): three desks and the real server,
//! a few hundred random steps with lost and repeated answers, killed runs, restarts, clock jumps and a server
//! restore; then everything must agree and every invariant hold. Each failure names its seed; re-run one with
//! `CLINIC_SYNC_SEED=<seed> scripts/with-postgres cargo test -p clinic-sync-tests --test convergence seed_1`
//! (test `seed_<n>` runs seed + n − 1). `CLINIC_SYNC_STEPS` changes the number of steps (default 300).

use clinic_sync_tests::sim::Sim;
use clinic_sync_tests::sim_check;

const SEEDS: [u64; 3] = [0x5EED_0001, 0x5EED_0002, 0x5EED_0003];

fn simulate(n: usize) {
    let seed = match std::env::var("CLINIC_SYNC_SEED") {
        Ok(text) => text.trim().parse::<u64>().expect("CLINIC_SYNC_SEED is a number") + n as u64,
        Err(_) => SEEDS[n],
    };
    let steps = std::env::var("CLINIC_SYNC_STEPS").map_or(300, |s| s.trim().parse().expect("CLINIC_SYNC_STEPS"));
    println!("convergence simulation: seed {seed}, {steps} steps");
    let mut sim = Sim::start(seed);
    sim.run(steps);
    let problems = sim_check::check(&mut sim);
    println!("seed {seed}: {:?}", sim.stats);
    assert!(
        problems.is_empty(),
        "seed {seed}: {} broken invariants (re-run with CLINIC_SYNC_SEED={seed}):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn seed_1() {
    simulate(0);
}

#[test]
fn seed_2() {
    simulate(1);
}

#[test]
fn seed_3() {
    simulate(2);
}
