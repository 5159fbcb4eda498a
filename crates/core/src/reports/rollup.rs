//! The raw facts of a chat as the stores read them, and their sums ([`Acc`]): the figures of
//! an hour (a rollup row), of a bucket or of a whole period are all an `Acc`, and two `Acc`s
//! merge without losing anything a report shows.

use super::hist::Hist;
use crate::ids::{AgentId, Timestamp};
use std::collections::BTreeMap;

/// One chat, as stored (see the definitions in [`crate::reports`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatFacts {
    pub created_at: Timestamp,
    /// First taken by an agent.
    pub answered_at: Option<Timestamp>,
    /// The first agent message (text, link or file) at or after `answered_at`, and its author.
    pub first_reply: Option<(Timestamp, AgentId)>,
    pub ended_at: Option<Timestamp>,
    pub missed: bool,
    /// Visitor and agent messages (not events, not notes).
    pub messages: u64,
    pub rating: Option<u8>,
    /// The agent holding the chat, or who last held it.
    pub holder: Option<AgentId>,
    /// Every agent who took the chat (accepted it, or received it by a transfer), each once.
    pub takers: Vec<AgentId>,
}

impl ChatFacts {
    /// Still pending or active: its figures may still move.
    pub fn open(&self) -> bool {
        self.ended_at.is_none()
    }
}

fn secs_between(from: Timestamp, to: Timestamp) -> u64 {
    u64::try_from(to.0.saturating_sub(from.0).max(0) / 1000).unwrap_or(0)
}

/// One agent's sums.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentAcc {
    pub chats: u64,
    pub ratings: u64,
    pub ratings_good: u64,
    pub first_response: Hist,
}

impl AgentAcc {
    pub fn merge(&mut self, o: &AgentAcc) {
        self.chats += o.chats;
        self.ratings += o.ratings;
        self.ratings_good += o.ratings_good;
        self.first_response.merge(&o.first_response);
    }
}

/// Sums of chats and offline messages: an hourly rollup row, a bucket or a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Acc {
    pub chats: u64,
    pub missed: u64,
    pub offline_messages: u64,
    pub messages: u64,
    pub ratings: u64,
    pub ratings_good: u64,
    /// Chats created in each quarter of the hour (only meaningful in an hourly rollup: the
    /// heat map of a zone 30 or 45 minutes off UTC is exact with them).
    pub quarters: [u64; 4],
    pub wait: Hist,
    pub first_response: Hist,
    pub duration: Hist,
    pub agents: BTreeMap<AgentId, AgentAcc>,
}

impl Acc {
    /// Counts one chat.
    pub fn add_chat(&mut self, c: &ChatFacts) {
        self.chats += 1;
        self.quarters[quarter(c.created_at)] += 1;
        if c.missed {
            self.missed += 1;
        }
        self.messages += c.messages;
        if let Some(answered) = c.answered_at {
            self.wait.add(secs_between(c.created_at, answered));
            if let Some((at, agent)) = c.first_reply {
                let secs = secs_between(answered, at);
                self.first_response.add(secs);
                self.agents
                    .entry(agent)
                    .or_default()
                    .first_response
                    .add(secs);
            }
        }
        if let Some(ended) = c.ended_at {
            self.duration.add(secs_between(c.created_at, ended));
        }
        let mut takers = c.takers.clone();
        if takers.is_empty()
            && c.answered_at.is_some()
            && let Some(h) = c.holder
        {
            // A chat from before chat events were stored: its holder took it.
            takers.push(h);
        }
        takers.sort_unstable();
        takers.dedup();
        for a in takers {
            self.agents.entry(a).or_default().chats += 1;
        }
        if let Some(score) = c.rating {
            let good = crate::reports::is_good(score);
            self.ratings += 1;
            self.ratings_good += u64::from(good);
            if let Some(h) = c.holder {
                let a = self.agents.entry(h).or_default();
                a.ratings += 1;
                a.ratings_good += u64::from(good);
            }
        }
    }

    /// Counts one offline message.
    pub fn add_offline(&mut self) {
        self.offline_messages += 1;
    }

    pub fn merge(&mut self, o: &Acc) {
        self.chats += o.chats;
        self.missed += o.missed;
        self.offline_messages += o.offline_messages;
        self.messages += o.messages;
        self.ratings += o.ratings;
        self.ratings_good += o.ratings_good;
        for (q, n) in self.quarters.iter_mut().zip(o.quarters) {
            *q += n;
        }
        self.wait.merge(&o.wait);
        self.first_response.merge(&o.first_response);
        self.duration.merge(&o.duration);
        for (a, acc) in &o.agents {
            self.agents.entry(*a).or_default().merge(acc);
        }
    }

    /// Nothing counted.
    pub fn is_empty(&self) -> bool {
        self.chats == 0 && self.offline_messages == 0
    }

    /// The figures a report shows.
    pub fn figures(&self) -> super::Figures {
        let share = |part: u64, whole: u64| {
            (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
        };
        super::Figures {
            chats: self.chats,
            missed: self.missed,
            offline_messages: self.offline_messages,
            wait_median_secs: self.wait.median(),
            wait_p90_secs: self.wait.percentile(0.9),
            first_response_median_secs: self.first_response.median(),
            duration_median_secs: self.duration.median(),
            messages_per_chat: (self.chats > 0)
                .then(|| (self.messages as f64 / self.chats as f64 * 100.0).round() / 100.0),
            ratings: self.ratings,
            ratings_good: self.ratings_good,
            good_share: share(self.ratings_good, self.ratings),
        }
    }
}

/// The quarter of its UTC hour (0–3) that `t` falls in.
pub fn quarter(t: Timestamp) -> usize {
    usize::try_from(t.0.rem_euclid(3_600_000) / 900_000).unwrap_or(0)
}

/// The UTC hour (hours since the epoch) of `t`: the key of rollup rows and dirty marks.
pub fn hour_of(t: Timestamp) -> i64 {
    t.0.div_euclid(3_600_000)
}

/// The first instant of a UTC hour.
pub fn hour_start(hour: i64) -> Timestamp {
    Timestamp(hour.saturating_mul(3_600_000))
}

/// The rollup of one hour: the chats created and the offline messages received in it.
/// `Err(())`-free: facts outside the hour are the caller's mistake and are still counted.
pub fn rollup_hour(chats: &[ChatFacts], offline: usize) -> Acc {
    let mut acc = Acc::default();
    for c in chats {
        acc.add_chat(c);
    }
    acc.offline_messages = offline as u64;
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn chat(created: i64) -> ChatFacts {
        ChatFacts {
            created_at: Timestamp(created),
            ..ChatFacts::default()
        }
    }

    #[test]
    fn every_figure_of_one_answered_rated_chat() {
        let c = ChatFacts {
            answered_at: Some(Timestamp(30_500)),
            first_reply: Some((Timestamp(45_400), AgentId(7))),
            ended_at: Some(Timestamp(600_999)),
            messages: 6,
            rating: Some(5),
            holder: Some(AgentId(8)),
            takers: vec![AgentId(7), AgentId(8), AgentId(7)],
            ..chat(0)
        };
        let acc = rollup_hour(&[c], 2);
        let f = acc.figures();
        assert_eq!(f.chats, 1);
        assert_eq!(f.offline_messages, 2);
        assert_eq!(f.wait_median_secs, Some(30));
        assert_eq!(f.wait_p90_secs, Some(30));
        // 45.4 s − 30.5 s = 14.9 s: whole seconds, rounded down.
        assert_eq!(f.first_response_median_secs, Some(14));
        assert_eq!(f.duration_median_secs, Some(600));
        assert_eq!(f.messages_per_chat, Some(6.0));
        assert_eq!((f.ratings, f.ratings_good, f.good_share), (1, 1, Some(1.0)));
        let a7 = &acc.agents[&AgentId(7)];
        assert_eq!((a7.chats, a7.ratings), (1, 0));
        assert_eq!(a7.first_response.median(), Some(14));
        let a8 = &acc.agents[&AgentId(8)];
        assert_eq!((a8.chats, a8.ratings, a8.ratings_good), (1, 1, 1));
        assert_eq!(a8.first_response.median(), None);
    }

    #[test]
    fn a_missed_chat_and_an_open_one() {
        let missed = ChatFacts {
            missed: true,
            ended_at: Some(Timestamp(90_000)),
            messages: 1,
            ..chat(10 * 60_000)
        };
        assert!(!missed.open());
        let open = chat(50 * 60_000);
        assert!(open.open());
        let f = rollup_hour(&[missed, open], 0).figures();
        assert_eq!((f.chats, f.missed), (2, 1));
        assert_eq!(f.wait_median_secs, None);
        assert_eq!(f.first_response_median_secs, None);
        assert_eq!(f.messages_per_chat, Some(0.5));
        assert_eq!(f.good_share, None);
    }

    #[test]
    fn an_old_chat_without_events_counts_for_its_holder() {
        let c = ChatFacts {
            answered_at: Some(Timestamp(1_000)),
            holder: Some(AgentId(3)),
            ..chat(0)
        };
        assert_eq!(rollup_hour(&[c], 0).agents[&AgentId(3)].chats, 1);
        // Never answered: nobody took it.
        let c = ChatFacts {
            holder: Some(AgentId(3)),
            ..chat(0)
        };
        assert!(rollup_hour(&[c], 0).agents.is_empty());
    }

    #[test]
    fn merging_is_adding() {
        let a = rollup_hour(&[chat(0), chat(20 * 60_000)], 1);
        let b = rollup_hour(&[chat(H + 50 * 60_000)], 0);
        let mut m = a.clone();
        m.merge(&b);
        assert_eq!(m.chats, 3);
        assert_eq!(m.offline_messages, 1);
        assert_eq!(m.quarters, [1, 1, 0, 1]);
        assert_eq!(m.figures().good_share, None);
    }

    #[test]
    fn hours_and_quarters() {
        assert_eq!(hour_of(Timestamp(H - 1)), 0);
        assert_eq!(hour_of(Timestamp(H)), 1);
        assert_eq!(hour_of(Timestamp(-1)), -1);
        assert_eq!(hour_start(2), Timestamp(2 * H));
        assert_eq!(quarter(Timestamp(14 * 60_000 + 59_999)), 0);
        assert_eq!(quarter(Timestamp(45 * 60_000)), 3);
    }

    #[test]
    fn shares_round_to_four_places() {
        let rated = |s: u8| ChatFacts {
            rating: Some(s),
            ended_at: Some(Timestamp(1)),
            ..chat(0)
        };
        let f = rollup_hour(&[rated(5), rated(1), rated(4)], 0).figures();
        assert_eq!((f.ratings, f.ratings_good), (3, 2));
        assert_eq!(f.good_share, Some(0.6667));
    }
}
