//! Slots per lane. Each job kind runs in its payload type's lane (`JobKind::LANE`), and
//! each lane has its own number of slots, so slow kinds never hold the slots fast ones need.
//!
//! The loop claims only when some lane has a free slot, and asks a queue that can choose
//! (the SQL queue) lane by lane, only for lanes with a free slot (a busy lane claims up to
//! its size, the extra jobs waiting in hand a moment; see `wanted`). A queue that cannot
//! choose (SQS: one queue, whatever message comes next) may hand over a job whose lane is
//! full: it waits in hand, its lease kept by the heartbeat, for a slot in its lane, while
//! fast jobs go on being claimed. Handing it back instead would count as a delivery (SQS's
//! receive count is the attempt number) and bring the same message straight back.
//!
//! The waiting room is bounded (`WAITING_ROOM`): the loop claims no more than there is
//! room for, and none while it is full, so a burst of more slow jobs than that at the head
//! of an SQS queue still delays fast ones until it shrinks. Jobs waiting in hand are
//! invisible on SQS, so other workers neither run them nor count them in the queue depth.

use crate::handler::HandlerRegistry;
use std::sync::Arc;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use trove_domain::job::Lane;

/// Most claimed jobs held at once waiting for a slot. Each costs a task and a lease
/// extension every third of the lease, so the bound is about not hoarding another worker's
/// share of the queue, not about this process's memory.
const WAITING_ROOM: usize = 100;

#[derive(Debug)]
pub(super) struct Lanes {
    /// Only the lanes some registered kind runs in.
    lanes: Vec<Slots>,
    waiting: Arc<Semaphore>,
    /// Signalled whenever a job lets go of its slot, so a loop that found nothing to claim
    /// for the lanes with room claims again at once for a lane that was full.
    freed: Arc<Notify>,
}

#[derive(Debug)]
struct Slots {
    kinds: Vec<&'static str>,
    free: Arc<Semaphore>,
    size: usize,
}

/// Where a claimed job goes.
#[derive(Debug)]
pub(super) enum Admission {
    /// Its lane had a slot: run it now, holding the slot.
    Run(OwnedSemaphorePermit),
    /// Its lane is full: hold the place in the waiting room until `lane` gives a slot.
    Wait {
        lane: Arc<Semaphore>,
        place: OwnedSemaphorePermit,
    },
    /// More jobs than were asked for, or no lane at all: give it back.
    Full,
}

impl Lanes {
    pub(super) fn new(handlers: &HandlerRegistry, size: impl Fn(Lane) -> usize) -> Self {
        let lanes = Lane::ALL
            .into_iter()
            .filter_map(|lane| {
                let kinds = handlers.kinds_in(lane);
                let size = size(lane);
                let free = Arc::new(Semaphore::new(size));
                (!kinds.is_empty()).then_some(Slots { kinds, free, size })
            })
            .collect();
        Self {
            lanes,
            waiting: Arc::new(Semaphore::new(WAITING_ROOM)),
            freed: Arc::new(Notify::new()),
        }
    }

    /// What a job signals when it lets go of its slot.
    pub(super) fn freed_signal(&self) -> Arc<Notify> {
        self.freed.clone()
    }

    /// Waits until a job has let go of its slot since the last wait.
    pub(super) async fn slot_freed(&self) {
        self.freed.notified().await;
    }

    /// Waits until some lane has a free slot and the waiting room a free place.
    pub(super) async fn room(&self) {
        if self.lanes.is_empty() {
            return std::future::pending().await;
        }
        if self.free_slots() == 0 {
            let frees = self.lanes.iter().map(|lane| Box::pin(lane.free.acquire()));
            // The semaphores are never closed; the permit is only a signal.
            drop(futures_util::future::select_all(frees).await.0);
        }
        drop(self.waiting.acquire().await);
    }

    /// What to ask the queue for: claims of which kinds, each for at most how many jobs.
    /// A queue that can choose gets one claim per lane with a free slot, for that lane's
    /// kinds, and for as many jobs as the lane has slots when the waiting room has the
    /// places: a busy lane then claims in batches of its size, the jobs beyond its free
    /// slots waiting in hand for the moment the running ones take to finish, instead of
    /// one claim per freed slot. A full lane is not asked for anything. With
    /// `every_kind` (a queue that cannot choose) there is one claim, for the kinds of full
    /// lanes too, so that the queue does not hand their jobs back as unwanted. Each of
    /// those jobs finds a slot or a place: no more are asked for than there are places,
    /// and only the loop takes places (a waiting job may take a slot first, but then
    /// leaves its place).
    pub(super) fn wanted(&self, every_kind: bool) -> Vec<(Vec<&'static str>, usize)> {
        if every_kind {
            let kinds = self
                .lanes
                .iter()
                .flat_map(|lane| lane.kinds.iter().copied())
                .collect();
            let max = self.free_slots().min(self.waiting.available_permits());
            return vec![(kinds, max)];
        }
        let mut places = self.waiting.available_permits();
        let mut wanted = Vec::new();
        for lane in &self.lanes {
            let free = lane.free.available_permits();
            if free == 0 {
                continue;
            }
            let waiting = (lane.size - free).min(places);
            places -= waiting;
            wanted.push((lane.kinds.clone(), free + waiting));
        }
        wanted
    }

    /// A slot in `kind`'s lane if one is free, else a place in the waiting room. A kind
    /// no handler runs takes a slot of the first lane; running it only buries it.
    pub(super) fn admit(&self, kind: &str) -> Admission {
        let lane = self
            .lanes
            .iter()
            .find(|lane| lane.kinds.contains(&kind))
            .or_else(|| self.lanes.first());
        let Some(lane) = lane else {
            return Admission::Full;
        };
        if let Ok(slot) = lane.free.clone().try_acquire_owned() {
            return Admission::Run(slot);
        }
        match self.waiting.clone().try_acquire_owned() {
            Ok(place) => Admission::Wait {
                lane: lane.free.clone(),
                place,
            },
            Err(_) => Admission::Full,
        }
    }

    fn free_slots(&self) -> usize {
        self.lanes
            .iter()
            .map(|lane| lane.free.available_permits())
            .sum()
    }
}
