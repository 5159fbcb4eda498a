//! A synthetic chat history for benchmarks: what the stores' bulk generators write (SQLite
//! and PostgreSQL alike) and what `frontdesk-bench` expects to find in it.
//!
//! Everything is a pure function of the chat's index, so the bench can compute the right
//! answer to a search, a filter or a report without reading the database back:
//! - message text from a filler vocabulary, with a rare word ([`RARE_WORD`], about one
//!   message in [`RARE_EVERY`]), a common word ([`COMMON_WORD`], one message in ten), a
//!   phrase ([`PHRASE`], one in a thousand; each of its words also appears alone, one in a
//!   hundred) and a prefix family ([`PREFIX`]`*`, one message in fifty);
//! - chats spread evenly over `span_ms` (the bench uses 90 days), over the given sites (the
//!   first gets about 70%), answered by the given agents (a tenth with a second agent who
//!   joined); 5% missed, 1% blocked, 20% of the answered tagged, 15% rated.
//!
//! No filler word starts with one of the special words' stems, so stemming engines find
//! exactly the messages listed here.

use crate::ids::*;

/// In about one message of [`RARE_EVERY`].
pub const RARE_WORD: &str = "quokka";
pub const RARE_EVERY: u64 = 100_000;
/// In one message of ten.
pub const COMMON_WORD: &str = "delivery";
/// In one message of a thousand, in this order; each word also alone in one of a hundred.
pub const PHRASE: [&str; 2] = ["tracking", "number"];
/// One message in fifty holds one word of this family (search `refund*`).
pub const PREFIX: &str = "refund";
const PREFIX_FAMILY: [&str; 5] = ["refund", "refunds", "refunded", "refunding", "refundable"];
/// The tags chats carry.
pub const TAGS: [&str; 4] = ["billing", "shipping", "bug", "vip"];

const FILLER: [&str; 64] = [
    "hello",
    "thanks",
    "please",
    "could",
    "would",
    "help",
    "order",
    "account",
    "password",
    "email",
    "price",
    "plan",
    "upgrade",
    "invoice",
    "payment",
    "card",
    "address",
    "package",
    "arrived",
    "late",
    "today",
    "tomorrow",
    "week",
    "month",
    "yesterday",
    "store",
    "shop",
    "product",
    "size",
    "colour",
    "return",
    "exchange",
    "cancel",
    "subscription",
    "login",
    "error",
    "page",
    "button",
    "checkout",
    "cart",
    "discount",
    "code",
    "coupon",
    "available",
    "stock",
    "warehouse",
    "courier",
    "parcel",
    "problem",
    "issue",
    "question",
    "answer",
    "great",
    "sure",
    "moment",
    "check",
    "please",
    "wait",
    "again",
    "still",
    "working",
    "fine",
    "okay",
    "bye",
];

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkHistory {
    /// The sites (must exist; at least one). Visitors of the first are about 70% of all.
    pub sites: Vec<SiteId>,
    /// The agents who answer (must exist). Empty: no chat is answered.
    pub agents: Vec<AgentId>,
    /// Ended chats to create (ids 1..=chats in an empty store).
    pub chats: u64,
    /// Messages per chat (a missed chat's are all the visitor's).
    pub messages_per_chat: u32,
    /// Creation of the first chat; the others follow evenly over `span_ms`.
    pub start: Timestamp,
    pub span_ms: i64,
    /// Distinct visitors (`bulk-0` …), each always on the same site.
    pub visitors: u64,
}

/// How a chat ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkEnd {
    /// Answered, ended by the visitor.
    ByVisitor,
    /// Answered, ended by the agent.
    ByAgent,
    /// Nobody answered; the visitor left.
    Missed,
    /// The agent blocked the visitor.
    Blocked,
}

/// One generated chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkChat {
    /// 0-based; the chat's id in an empty store is `index + 1`.
    pub index: u64,
    pub site: SiteId,
    pub visitor: u64,
    pub visitor_name: Option<String>,
    pub visitor_email: Option<String>,
    pub end: BulkEnd,
    /// Who held it last (None when missed).
    pub agent: Option<AgentId>,
    /// A second agent who joined.
    pub joined: Option<AgentId>,
    pub created: Timestamp,
    pub answered: Option<Timestamp>,
    pub ended: Timestamp,
    pub tags: Vec<&'static str>,
    pub rating: Option<u8>,
    pub rated_at: Option<Timestamp>,
    pub wrap_up: Option<String>,
}

impl BulkChat {
    pub fn visitor_id(&self) -> String {
        format!("bulk-{}", self.visitor)
    }
    /// `end_reason` as stored.
    pub fn end_reason(&self) -> &'static str {
        match self.end {
            BulkEnd::ByVisitor | BulkEnd::Missed => "visitor",
            BulkEnd::ByAgent => "agent",
            BulkEnd::Blocked => "blocked",
        }
    }
    /// `ended_by` as stored.
    pub fn ended_by(&self) -> Option<AgentId> {
        match self.end {
            BulkEnd::ByAgent | BulkEnd::Blocked => self.agent,
            _ => None,
        }
    }
}

/// One generated message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkMessage {
    pub seq: i64,
    /// None: the visitor wrote it; Some: this agent.
    pub agent: Option<AgentId>,
    pub body: String,
    pub created: Timestamp,
}

/// A well-mixed hash (splitmix64).
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl BulkHistory {
    /// The site of visitor `v`.
    pub fn site_of(&self, v: u64) -> SiteId {
        let n = self.sites.len() as u64;
        if n <= 1 || v % 10 < 7 {
            self.sites.first().copied().unwrap_or(SiteId(0))
        } else {
            self.sites[(1 + v % (n - 1)) as usize]
        }
    }

    /// Chat number `i` (0-based).
    pub fn chat(&self, i: u64) -> BulkChat {
        let h = mix(i);
        let visitor = i % self.visitors.max(1);
        let offset =
            (i128::from(i) * i128::from(self.span_ms) / i128::from(self.chats.max(1))) as i64;
        let created = self.start.0 + offset;
        let n_agents = self.agents.len() as u64;
        let end = match (n_agents, h % 100) {
            (0, _) | (_, 0..5) => BulkEnd::Missed,
            (_, 5) => BulkEnd::Blocked,
            _ if (h >> 8).is_multiple_of(2) => BulkEnd::ByVisitor,
            _ => BulkEnd::ByAgent,
        };
        let answered_chat = end != BulkEnd::Missed;
        let pick = |k: u64| self.agents[(k % n_agents.max(1)) as usize];
        let agent = answered_chat.then(|| pick(h >> 12));
        let joined = (answered_chat && n_agents > 1 && (h >> 20).is_multiple_of(10))
            .then(|| pick((h >> 12) + 1 + (h >> 24) % (n_agents - 1)));
        let answered =
            answered_chat.then(|| Timestamp(created + (5 + (h >> 28) % 120) as i64 * 1000));
        let first = answered.unwrap_or(Timestamp(created)).0;
        let ended = Timestamp(first + (i64::from(self.messages_per_chat) + 1) * 1000);
        let tags = match (answered_chat, (h >> 32) % 100) {
            (true, 0..15) => vec![TAGS[((h >> 40) % 4) as usize]],
            (true, 15..20) => vec![
                TAGS[((h >> 40) % 2) as usize],
                TAGS[2 + ((h >> 42) % 2) as usize],
            ],
            _ => Vec::new(),
        };
        let rating = (answered_chat && (h >> 44) % 100 < 15).then(|| 1 + ((h >> 52) % 5) as u8);
        let wrap_up = (answered_chat && (h >> 56).is_multiple_of(10)).then(|| {
            format!(
                "Resolved: {} {}",
                FILLER[(h % 64) as usize],
                FILLER[((h >> 6) % 64) as usize]
            )
        });
        BulkChat {
            index: i,
            site: self.site_of(visitor),
            visitor,
            visitor_name: visitor
                .is_multiple_of(2)
                .then(|| format!("Bulk visitor {visitor}")),
            visitor_email: visitor
                .is_multiple_of(3)
                .then(|| format!("visitor{visitor}@bulk.example")),
            end,
            agent,
            joined,
            created: Timestamp(created),
            answered,
            ended,
            tags,
            rating,
            rated_at: rating.map(|_| Timestamp(ended.0 + 30_000)),
            wrap_up,
        }
    }

    /// The messages of `chat`, seq 1, 2, …: the visitor's odd, the agent's even (a missed
    /// chat's are all the visitor's).
    pub fn messages(&self, chat: &BulkChat) -> impl Iterator<Item = BulkMessage> + '_ {
        let per = u64::from(self.messages_per_chat);
        let first = chat.answered.unwrap_or(chat.created).0;
        let (index, agent) = (chat.index, chat.agent);
        (1..=per).map(move |seq| {
            let g = index * per + seq - 1;
            BulkMessage {
                seq: seq as i64,
                agent: if seq % 2 == 0 { agent } else { None },
                body: body(g),
                created: Timestamp(first + seq as i64 * 1000),
            }
        })
    }
}

/// The text of global message number `g`.
pub fn body(g: u64) -> String {
    let h = mix(g ^ 0xB0D1);
    let n = 4 + (h % 9) as usize;
    let mut words: Vec<&str> = (0..n)
        .map(|k| FILLER[(mix(h.wrapping_add(k as u64)) % 64) as usize])
        .collect();
    let mut special = Vec::new();
    if g % RARE_EVERY == 12_345 {
        special.push(RARE_WORD);
    }
    if g % 10 == 7 {
        special.push(COMMON_WORD);
    }
    if g % 1000 == 501 {
        special.push("tracking number");
    }
    if g % 100 == 11 {
        special.push(PHRASE[0]);
    }
    if g % 100 == 23 {
        special.push(PHRASE[1]);
    }
    if g % 50 == 19 {
        special.push(PREFIX_FAMILY[((g / 50) % 5) as usize]);
    }
    for (k, s) in special.into_iter().enumerate() {
        // Apart from each other, so that "tracking" and "number" alone never meet.
        let at = ((h >> (8 + k * 4)) as usize % (words.len() + 1)).min(words.len());
        words.insert(at, s);
        if k > 0 {
            words.insert(at, "and");
        }
    }
    let mut text = words.join(" ");
    if let Some(c) = text.get_mut(0..1) {
        c.make_ascii_uppercase();
    }
    text.push('.');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::words;

    fn spec(chats: u64) -> BulkHistory {
        BulkHistory {
            sites: vec![SiteId(1), SiteId(2)],
            agents: vec![AgentId(1), AgentId(2), AgentId(3)],
            chats,
            messages_per_chat: 10,
            start: Timestamp(0),
            span_ms: 90 * 86_400_000,
            visitors: chats / 10,
        }
    }

    #[test]
    fn special_words_have_their_frequencies_and_fillers_never_collide() {
        let s = spec(20_000);
        let (mut rare, mut common, mut phrase, mut prefix, mut total) = (0, 0, 0, 0, 0);
        for i in 0..s.chats {
            for m in s.messages(&s.chat(i)) {
                total += 1;
                let w = words(&m.body);
                rare += usize::from(w.iter().any(|x| x == RARE_WORD));
                common += usize::from(w.iter().any(|x| x == COMMON_WORD));
                phrase += usize::from(w.windows(2).any(|p| p == PHRASE));
                prefix += usize::from(w.iter().any(|x| x.starts_with(PREFIX)));
            }
        }
        assert_eq!(total, 200_000);
        assert_eq!((rare, common, phrase, prefix), (2, 20_000, 200, 4_000));
        for f in FILLER {
            for s in [RARE_WORD, "deliver", "track", "numb", PREFIX, "and"] {
                assert!(!f.starts_with(s), "{f} collides with {s}");
            }
        }
    }

    #[test]
    fn chats_have_every_kind_and_stay_consistent() {
        let s = spec(10_000);
        let chats: Vec<BulkChat> = (0..s.chats).map(|i| s.chat(i)).collect();
        let count = |f: &dyn Fn(&BulkChat) -> bool| chats.iter().filter(|c| f(c)).count();
        let missed = count(&|c| c.end == BulkEnd::Missed);
        let blocked = count(&|c| c.end == BulkEnd::Blocked);
        assert!((350..650).contains(&missed), "{missed}");
        assert!((50..150).contains(&blocked), "{blocked}");
        assert!(count(&|c| !c.tags.is_empty()) > 1000);
        assert!(count(&|c| c.rating.is_some()) > 1000);
        assert!(count(&|c| c.joined.is_some()) > 500);
        assert!(count(&|c| c.site == SiteId(2)) > 2000);
        assert!(chats.iter().all(|c| c.site == s.site_of(c.visitor)));
        assert!(
            chats
                .iter()
                .all(|c| c.joined.is_none() || c.joined != c.agent)
        );
        assert!(
            chats
                .iter()
                .all(|c| (c.end == BulkEnd::Missed) == c.agent.is_none())
        );
        assert!(chats.windows(2).all(|w| w[0].created < w[1].created));
        assert!(chats.last().expect("chats").created.0 < s.span_ms);
    }
}
