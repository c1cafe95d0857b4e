//! The History tab's database work, on its own thread (`smdr-history-browse`): the window asks
//! for a query or a page and is answered on a channel; it never opens the database itself.
//! Only the newest query is run; pages of an older one are not read.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use super::browse::{Browse, LineId, find_ids, read_lines};
use super::query::{StatsBy, StatsRow};
use super::rows::StoredLine;
use super::{HistoryStore, Target};

/// Rows a page holds.
pub const PAGE: usize = 200;

enum Ask {
    Query(u64, Box<Browse>),
    Page(u64, usize),
}

/// What the thread answers, each tagged with the query it belongs to.
#[derive(Debug)]
pub enum Answer {
    /// The ids of every line the query matches, in order, and its calls per day.
    Found {
        generation: u64,
        ids: Arc<[LineId]>,
        per_day: Vec<StatsRow>,
    },
    Page {
        generation: u64,
        page: usize,
        lines: Vec<StoredLine>,
    },
    /// The sites the database has lines of.
    Sites(Vec<String>),
    /// Lines looked at so far by a query that takes a while.
    Progress { generation: u64, seen: u64 },
    /// The database could not be opened or read: why, in words (password masked).
    Failed { generation: u64, message: String },
}

pub struct Browser {
    tx: Sender<Ask>,
    rx: Receiver<Answer>,
    target: Target,
}

impl Browser {
    /// Starts the thread; it opens `target` at the first question.
    pub fn start(target: Target, wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Self> {
        let (tx, asks) = channel();
        let (answers, rx) = channel();
        let t = target.clone();
        std::thread::Builder::new()
            .name("smdr-history-browse".into())
            .spawn(move || run(&t, &asks, &answers, &*wake))?;
        Ok(Self { tx, rx, target })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    pub fn query(&self, generation: u64, b: Browse) {
        let _ = self.tx.send(Ask::Query(generation, Box::new(b)));
    }

    pub fn page(&self, generation: u64, page: usize) {
        let _ = self.tx.send(Ask::Page(generation, page));
    }

    pub fn try_recv(&self) -> Option<Answer> {
        self.rx.try_recv().ok()
    }
}

struct State {
    store: Option<Box<dyn HistoryStore>>,
    generation: u64,
    ids: Arc<[LineId]>,
    sites_said: bool,
}

fn run(
    target: &Target,
    asks: &Receiver<Ask>,
    answers: &Sender<Answer>,
    wake: &(dyn Fn() + Send + Sync),
) {
    let mut state = State {
        store: None,
        generation: 0,
        ids: Arc::from(Vec::new()),
        sites_said: false,
    };
    let say = |a: Answer| {
        let _ = answers.send(a);
        wake();
    };
    while let Ok(first) = asks.recv() {
        // Whatever else is waiting: only the newest query matters, and pages of it.
        let mut waiting = vec![first];
        loop {
            match asks.try_recv() {
                Ok(a) => waiting.push(a),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        let newest = waiting.iter().rposition(|a| matches!(a, Ask::Query(..)));
        let waiting = match newest {
            Some(i) => waiting.split_off(i),
            None => waiting,
        };
        for ask in waiting {
            let generation = match &ask {
                Ask::Query(g, _) | Ask::Page(g, _) => *g,
            };
            if let Err(e) = answer(target, &mut state, ask, &say) {
                tracing::warn!("history: {e}");
                // Opened again at the next question (the server may be back).
                state.store = None;
                say(Answer::Failed {
                    generation,
                    message: e.to_string(),
                });
            }
        }
    }
}

fn answer(target: &Target, state: &mut State, ask: Ask, say: &dyn Fn(Answer)) -> super::Result<()> {
    let store = match &mut state.store {
        Some(s) => s,
        None => state.store.insert(super::open(target)?),
    };
    if !state.sites_said {
        say(Answer::Sites(store.sites()?));
        state.sites_said = true;
    }
    match ask {
        Ask::Query(generation, b) => {
            state.generation = generation;
            let ids = find_ids(store.as_mut(), &b, &mut |seen| {
                say(Answer::Progress { generation, seen });
            })?;
            state.ids = Arc::from(ids);
            let per_day = store.stats(&b.calls(), StatsBy::Day)?;
            say(Answer::Found {
                generation,
                ids: state.ids.clone(),
                per_day,
            });
        }
        Ask::Page(generation, page) if generation == state.generation => {
            let from = (page * PAGE).min(state.ids.len());
            let to = (from + PAGE).min(state.ids.len());
            let lines = read_lines(store.as_mut(), &state.ids[from..to])?;
            say(Answer::Page {
                generation,
                page,
                lines,
            });
        }
        Ask::Page(..) => {}
    }
    Ok(())
}
