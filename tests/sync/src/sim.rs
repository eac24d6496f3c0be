//! The seeded convergence simulation: three desks and the real server, driven by random steps — registrations
//! (sometimes of a person already registered elsewhere), edits of random fields, deletions, merges, review
//! resolutions, syncs through a transport that loses, repeats or refuses calls, runs killed at a random
//! checkpoint followed by a restart, restarts, clock jumps of hours or days, and a server restore (new epoch).
//! What each edit looked like on its desk is remembered, so `sim_check` can tell what the server must have done.

use std::collections::BTreeMap;

use clinic_core::patients::{self, Phone, PhoneKind, Sex};
use clinic_core::sync::{self, Checkpoint, ReviewDecision, ReviewItemKind, SyncOptions};
use clinic_core::{CoreResult, ErrorCode};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{Desk, Fault, FlakyTransport, Rng, TestServer, person, stop_at};

const GIVEN: [&str; 8] = ["Amina", "Bruno", "Chloé", "Dmitri", "Esra", "Farid", "Grace", "Hiro"];
const FAMILY: [&str; 8] = ["Diallo", "Costa", "Martin", "Ivanov", "Yilmaz", "Haddad", "Okafor", "Tanaka"];
const NOTES: [&str; 5] = ["", "allergic to latex", "prefers mornings", "needs an interpreter", "wheelchair access"];
const CITIES: [&str; 3] = ["Lyon", "Paris", "Nantes"];
const PHONES: [&str; 3] = ["+33 6 12 34 56 78", "+33 4 78 00 00 00", "020 7946 0018"];
const FIELDS: [&str; 9] =
    ["notes", "email", "address", "phones", "allergies", "given_name", "family_name", "date_of_birth", "sex"];
const CHECKPOINTS: [Checkpoint; 4] =
    [Checkpoint::BeforePush, Checkpoint::PushAnswered, Checkpoint::PullPageApplied, Checkpoint::BootstrapPageApplied];

/// An edit as its desk saw it: the record's draft just before (the desk's view the edit was made on).
#[derive(Debug, Clone)]
pub struct Authored {
    pub before: Map<String, Value>,
}

/// The simulation's world.
#[derive(Debug)]
pub struct Sim {
    pub seed: u64,
    pub rng: Rng,
    pub server: TestServer,
    pub desks: Vec<Desk>,
    pub transports: Vec<FlakyTransport>,
    /// (desk index, device_seq) → how the edit's record looked on that desk.
    pub edits: BTreeMap<(usize, i64), Authored>,
    /// For each desk, the device_seqs the desk knew the server had acknowledged, as seen after each of its runs.
    pub acknowledged: Vec<BTreeMap<i64, Uuid>>,
    /// People registered so far (to register some of them again elsewhere): (given, family, born).
    pub people: Vec<(String, String, (i16, i8, i8))>,
    pub step: usize,
    pub stats: BTreeMap<&'static str, u32>,
}

impl Sim {
    /// A clinic with three desks (the first set up here, two joined), a few patients everywhere.
    pub fn start(seed: u64) -> Sim {
        let server = TestServer::start();
        let first = Desk::first(&server, "D01");
        first.sync();
        let desks = vec![first, Desk::join(&server, "D02"), Desk::join(&server, "D03")];
        let transports = desks.iter().map(|_| FlakyTransport::new()).collect();
        let acknowledged = vec![BTreeMap::new(); desks.len()];
        Sim {
            seed,
            rng: Rng::new(seed),
            server,
            desks,
            transports,
            edits: BTreeMap::new(),
            acknowledged,
            people: Vec::new(),
            step: 0,
            stats: BTreeMap::new(),
        }
    }

    /// What goes in front of every failure message.
    pub fn context(&self) -> String {
        ["seed ", &self.seed.to_string(), ", step ", &self.step.to_string()].concat()
    }

    fn note(&mut self, what: &'static str, desk: usize, detail: &str) {
        *self.stats.entry(what).or_default() += 1;
        println!("[seed {} step {}] D0{} {what} {detail}", self.seed, self.step, desk + 1);
    }

    /// Runs `steps` random steps.
    pub fn run(&mut self, steps: usize) {
        for _ in 0..steps {
            self.step += 1;
            self.server.clock.advance_secs(1);
            let desk = self.rng.below(self.desks.len());
            // Time passes on the desk that acts, so its changes are stamped apart from the others'.
            let pause = 1 + self.rng.below(20) as i64;
            self.desks[desk].clock.advance_secs(pause);
            let roll = self.rng.below(100);
            match roll {
                0..=16 => self.register(desk),
                17..=49 => self.edit(desk),
                50..=52 => self.delete(desk),
                53..=55 => self.resolve_or_merge(desk),
                56..=81 => self.sync(desk),
                82..=89 => self.crash(desk),
                90..=95 => self.jump_clock(desk),
                96..=98 => {
                    self.note("restart", desk, "");
                    self.desks[desk].reopen();
                }
                _ => {
                    self.note("new_epoch", desk, "(server restored from a backup)");
                    self.server.new_epoch();
                }
            }
        }
    }

    /// A local call, signing in again first if an idle lock got in the way.
    fn local<T>(&mut self, desk: usize, call: impl Fn(&Desk) -> CoreResult<T>) -> CoreResult<T> {
        match call(&self.desks[desk]) {
            Err(e) if matches!(e.code, ErrorCode::Locked | ErrorCode::Unauthenticated) => {
                self.desks[desk].sign_in_again();
                call(&self.desks[desk])
            }
            other => other,
        }
    }

    fn last_seq(&self, desk: usize) -> i64 {
        self.desks[desk].count("SELECT coalesce(max(device_seq), 0) FROM outbox")
    }

    fn register(&mut self, desk: usize) {
        let again = !self.people.is_empty() && self.rng.chance(25);
        let (given, family, born) = if again {
            self.people[self.rng.below(self.people.len())].clone()
        } else {
            let born = (1950 + self.rng.below(50) as i16, 1 + self.rng.below(12) as i8, 1 + self.rng.below(28) as i8);
            (self.rng.pick(&GIVEN).to_string(), self.rng.pick(&FAMILY).to_string(), born)
        };
        let draft = person(&given, &family, born);
        let registered = self.local(desk, |d| patients::register(d.clinic(), d.admin, &draft, true));
        registered.unwrap_or_else(|e| panic!("{}: register: {e:?}", self.context()));
        self.note(if again { "register_again" } else { "register" }, desk, &[&given, " ", &family].concat());
        self.people.push((given, family, born));
    }

    fn edit(&mut self, desk: usize) {
        let ids = self.desks[desk].active_ids();
        if ids.is_empty() {
            return self.register(desk);
        }
        // Half the edits go to the clinic's first few records, so desks often change the same ones.
        let hot = ids.len().min(3);
        let id = if self.rng.chance(50) { ids[self.rng.below(hot)] } else { *self.rng.pick(&ids) };
        let current = self.local(desk, |d| patients::get(d.clinic(), d.admin, id));
        let current = current.unwrap_or_else(|e| panic!("{}: open {id}: {e:?}", self.context()));
        let mut draft = current.details.clone();
        let mut changed = Vec::new();
        for _ in 0..1 + self.rng.below(2) {
            let field = *self.rng.pick(&FIELDS);
            changed.push(field);
            match field {
                "notes" => draft.notes = self.rng.pick(&NOTES).to_string(),
                "email" => {
                    draft.email =
                        [None, Some("a@example.org"), Some("b@example.org")][self.rng.below(3)].map(Into::into)
                }
                "address" => draft.address.city = self.rng.pick(&CITIES).to_string(),
                "phones" => {
                    draft.phones = vec![Phone { kind: PhoneKind::Mobile, number: self.rng.pick(&PHONES).to_string() }]
                }
                "allergies" => draft.allergies = vec![["allergy ", &self.rng.below(3).to_string()].concat()],
                "given_name" => draft.given_name = self.rng.pick(&GIVEN).to_string(),
                "family_name" => draft.family_name = self.rng.pick(&FAMILY).to_string(),
                "date_of_birth" => {
                    let born =
                        (1950 + self.rng.below(50) as i16, 1 + self.rng.below(12) as i8, 1 + self.rng.below(28) as i8);
                    draft.date_of_birth = Some(jiff::civil::date(born.0, born.1, born.2));
                }
                _ => draft.sex = Sex::ALL[self.rng.below(Sex::ALL.len())],
            }
        }
        let before = match serde_json::to_value(&current.details) {
            Ok(Value::Object(map)) => map,
            other => panic!("{}: a draft is a JSON object: {other:?}", self.context()),
        };
        let last = self.last_seq(desk);
        let version = current.row_version;
        let saved = self.local(desk, |d| patients::update(d.clinic(), d.admin, id, version, &draft));
        saved.unwrap_or_else(|e| panic!("{}: edit {id}: {e:?}", self.context()));
        let seq = self.last_seq(desk);
        if seq > last {
            self.edits.insert((desk, seq), Authored { before });
            self.note("edit", desk, &[&id.to_string(), " ", &changed.join(",")].concat());
        }
    }

    fn delete(&mut self, desk: usize) {
        let ids = self.desks[desk].active_ids();
        if ids.is_empty() {
            return;
        }
        let id = *self.rng.pick(&ids);
        let done = self.local(desk, |d| patients::delete(d.clinic(), d.admin, id, "registered by mistake"));
        done.unwrap_or_else(|e| panic!("{}: delete {id}: {e:?}", self.context()));
        self.note("delete", desk, &id.to_string());
    }

    /// Deals with an open review item here: a possible duplicate is merged (when both records can still be
    /// changed here), anything else is resolved or dismissed.
    fn resolve_or_merge(&mut self, desk: usize) {
        let open = self.local(desk, |d| sync::list_review_items(d.clinic(), d.admin, false));
        let mut open = open.unwrap_or_else(|e| panic!("{}: review items: {e:?}", self.context()));
        // Ids are random: order by what the items are about, so a seed always picks the same one.
        open.sort_by_key(|i| (format!("{:?}", i.kind), i.records.iter().map(|r| r.mrn.clone()).collect::<Vec<_>>()));
        if open.is_empty() {
            return self.edit(desk);
        }
        let item = open[self.rng.below(open.len())].clone();
        let active = self.desks[desk].active_ids();
        if item.kind == ReviewItemKind::PossibleDuplicate
            && item.records.len() == 2
            && item.records.iter().all(|r| active.contains(&r.id))
        {
            let (survivor, duplicate) = (item.records[0].id, item.records[1].id);
            let merged = self.local(desk, |d| patients::merge(d.clinic(), d.admin, survivor, duplicate, "same person"));
            merged.unwrap_or_else(|e| panic!("{}: merge: {e:?}", self.context()));
            self.note("merge", desk, &[&duplicate.to_string(), " into ", &survivor.to_string()].concat());
        }
        let decision = if self.rng.chance(70) { ReviewDecision::Resolved } else { ReviewDecision::Dismissed };
        let done =
            self.local(desk, |d| sync::resolve_review_item(d.clinic(), d.admin, item.id, decision, "looked at it"));
        done.unwrap_or_else(|e| panic!("{}: resolve {}: {e:?}", self.context(), item.id));
        self.note("resolve", desk, &item.id.to_string());
    }

    fn options(&mut self) -> SyncOptions {
        SyncOptions {
            page_size: *self.rng.pick(&[2, 3, 50]),
            push_batch: *self.rng.pick(&[1, 3, 100]),
            ..SyncOptions::default()
        }
    }

    /// One run through the misbehaving transport; afterwards, what the desk knows was acknowledged.
    fn sync(&mut self, desk: usize) {
        let mut faults = Vec::new();
        if self.rng.chance(40) {
            faults.extend(std::iter::repeat_n(Fault::Pass, self.rng.below(4)));
            faults.push(*self.rng.pick(&[Fault::Offline, Fault::LoseAnswer, Fault::Twice]));
        }
        let options = self.options();
        self.transports[desk].queue(faults.clone());
        let report = self.desks[desk].sync_via(&self.transports[desk], &options);
        self.transports[desk].clear();
        let report = report.unwrap_or_else(|e| panic!("{}: D0{} sync failed locally: {e:?}", self.context(), desk + 1));
        self.note("sync", desk, &[format!("{faults:?} "), format!("{report:?}")].concat());
        self.remember_acknowledged(desk);
    }

    fn remember_acknowledged(&mut self, desk: usize) {
        for row in self.desks[desk].outbox() {
            if row.state == "applied" {
                self.acknowledged[desk].insert(row.device_seq, row.mutation_id);
            }
        }
    }

    /// A run killed at a random checkpoint (if it gets there), then the desk's process starts again.
    fn crash(&mut self, desk: usize) {
        let at = *self.rng.pick(&CHECKPOINTS);
        let n = 1 + self.rng.below(2);
        let options =
            SyncOptions { push_batch: *self.rng.pick(&[1, 3, 100]), ..stop_at(at, n, *self.rng.pick(&[2, 3])) };
        let result = self.desks[desk].sync_via(&self.transports[desk], &options);
        if let Err(e) = &result
            && !e.to_string().contains(crate::KILLED)
        {
            panic!("{}: D0{} sync failed locally: {e:?}", self.context(), desk + 1);
        }
        self.note("crash", desk, &[format!("at {at:?} #{n}: "), format!("{}", result.is_err())].concat());
        self.desks[desk].reopen();
        self.remember_acknowledged(desk);
    }

    fn jump_clock(&mut self, desk: usize) {
        let hours = [-30, -5, -1, 2, 9, 50][self.rng.below(6)];
        self.note("clock", desk, &[&hours.to_string(), "h"].concat());
        self.desks[desk].move_clock(hours * 3600);
    }

    /// Syncs every desk, without faults, until a whole round sends and receives nothing.
    pub fn settle(&mut self) {
        for round in 0..8 {
            let mut quiet = true;
            for desk in 0..self.desks.len() {
                let report = self.desks[desk].sync_with(&SyncOptions::default());
                let report = report.unwrap_or_else(|e| panic!("{}: settling D0{}: {e:?}", self.context(), desk + 1));
                assert!(report.problem.is_none(), "{}: settling D0{}: {report:?}", self.context(), desk + 1);
                quiet &= report.pushed == 0 && report.pulled == 0;
                self.remember_acknowledged(desk);
            }
            if quiet && round > 0 {
                return;
            }
        }
        panic!("{}: the desks did not settle after 8 rounds of sync", self.context());
    }
}
