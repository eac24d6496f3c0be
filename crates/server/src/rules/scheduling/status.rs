//! The forward-only status merge (ADR 11). A move from another device applies when the lifecycle allows it from
//! the status the server holds; a move the record has already gone past is a no-op; two moves neither of which
//! leads to the other (completed here, cancelled there) keep the one with more real-world progress and need a
//! person. The result is the furthest status in one fixed order, so every push order ends the same way.

use serde::{Deserialize, Serialize};

/// clinic-core's `AppointmentStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    Booked,
    Arrived,
    InConsultation,
    Completed,
    Cancelled,
    NoShow,
}

impl Status {
    pub const ALL: [Status; 6] =
        [Status::Booked, Status::Arrived, Status::InConsultation, Status::Completed, Status::Cancelled, Status::NoShow];

    /// One step of the lifecycle, exactly as core allows it (`AppointmentStatus::can_move_to`).
    pub fn can_move_to(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Booked, Arrived | InConsultation | Cancelled | NoShow)
                | (Arrived, InConsultation | Cancelled)
                | (InConsultation, Completed)
        )
    }

    /// Whether `to` is this status or follows it after any number of steps.
    pub fn leads_to(self, to: Status) -> bool {
        self == to || Status::ALL.into_iter().any(|next| self.can_move_to(next) && next.leads_to(to))
    }

    /// The merge order: a later status wins. It extends the lifecycle (every step goes up) and, between
    /// statuses no step sequence joins, puts the patient having been seen above a cancellation, and a
    /// cancellation above a no-show.
    fn rank(self) -> u8 {
        match self {
            Status::Booked => 0,
            Status::NoShow => 1,
            Status::Arrived => 2,
            Status::Cancelled => 3,
            Status::InConsultation => 4,
            Status::Completed => 5,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Booked => "booked",
            Status::Arrived => "arrived",
            Status::InConsultation => "in_consultation",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
            Status::NoShow => "no_show",
        }
    }
}

/// What an incoming move does to the status the server holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merge {
    /// The record is already there: nothing changes.
    Same,
    /// The move applies.
    Move,
    /// The record already went past this move: nothing changes, nothing to review.
    Superseded,
    /// The two moves exclude each other; `incoming_wins` says which status the record keeps. A person reviews it.
    Clash { incoming_wins: bool },
}

pub(crate) fn merge(held: Status, incoming: Status) -> Merge {
    if held == incoming {
        Merge::Same
    } else if held.leads_to(incoming) {
        Merge::Move
    } else if incoming.leads_to(held) {
        Merge::Superseded
    } else {
        Merge::Clash { incoming_wins: incoming.rank() > held.rank() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status after applying moves in this order, starting from booked.
    fn after(moves: &[Status]) -> Status {
        moves.iter().fold(Status::Booked, |held, &to| match merge(held, to) {
            Merge::Move | Merge::Clash { incoming_wins: true } => to,
            _ => held,
        })
    }

    #[test]
    fn every_order_of_two_devices_moves_ends_in_the_same_status() {
        for a in Status::ALL {
            for b in Status::ALL {
                assert_eq!(after(&[a, b]), after(&[b, a]), "{a:?} and {b:?}");
            }
        }
    }

    #[test]
    fn real_world_progress_wins_and_a_superseded_move_is_silent() {
        assert_eq!(merge(Status::Completed, Status::Cancelled), Merge::Clash { incoming_wins: false });
        assert_eq!(merge(Status::Cancelled, Status::InConsultation), Merge::Clash { incoming_wins: true });
        assert_eq!(merge(Status::NoShow, Status::Arrived), Merge::Clash { incoming_wins: true });
        assert_eq!(merge(Status::NoShow, Status::Cancelled), Merge::Clash { incoming_wins: true });
        assert_eq!(merge(Status::Completed, Status::Arrived), Merge::Superseded);
        assert_eq!(merge(Status::Cancelled, Status::Arrived), Merge::Superseded);
        assert_eq!(merge(Status::Arrived, Status::Cancelled), Merge::Move);
        assert_eq!(merge(Status::Booked, Status::Completed), Merge::Move);
        assert_eq!(after(&[Status::Arrived, Status::NoShow]), Status::Arrived);
        assert_eq!(
            after(&[Status::Cancelled, Status::Arrived, Status::InConsultation, Status::Completed]),
            Status::Completed
        );
    }
}
