//! The per-frame intake: collector events, job results, the probe and file dialogs, and new
//! records for the call tracker — each within the frame's time budget.

use super::*;

impl SmdrApp {
    /// Takes in what arrived since the last frame, within the time budget.
    pub(super) fn drain(&mut self, ctx: &egui::Context) {
        let deadline = Instant::now() + DRAIN_BUDGET;
        let mut more = self.drain_collector(deadline);
        more |= self.drain_jobs(deadline);
        self.drain_probe();
        self.drain_dialogs();
        more |= self.feed_tracker(deadline);
        if self.last_age_out.elapsed() > Duration::from_secs(10) {
            self.last_age_out = Instant::now();
            // The setting may have changed since the last time: it applies from now on.
            let minutes = i64::from(self.state.settings.age_out_min.max(1));
            self.tracker.set_age_out(chrono::Duration::minutes(minutes));
            self.tracker.age_out(Local::now().naive_local());
        }
        self.store.refresh(&mut self.view, &self.state.records);
        if more {
            ctx.request_repaint();
        }
    }

    /// Returns true when the budget ran out with events left.
    fn drain_collector(&mut self, deadline: Instant) -> bool {
        let Some(rx) = self.events.take() else {
            return false;
        };
        let mut out_of_time = false;
        loop {
            if Instant::now() >= deadline {
                out_of_time = true;
                break;
            }
            match rx.try_recv() {
                Ok(e) => self.take_event(e),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        self.events = Some(rx);
        out_of_time
    }

    pub(super) fn take_event(&mut self, e: EngineEvent) {
        match e {
            EngineEvent::Collector(e) => self.take_collector_event(e),
            // The stages' own events get their views with the History and Alarms tabs.
            EngineEvent::Alarm(alarm) => self.take_alarm(alarm),
            EngineEvent::History(status) => self.history.status = Some(status),
            EngineEvent::Notice { message, .. } => self.notify_error(message),
        }
    }

    fn take_collector_event(&mut self, e: CollectorEvent) {
        {
            match e {
                CollectorEvent::Record(r) => {
                    self.store.push(r);
                }
                CollectorEvent::Raw {
                    site,
                    at,
                    direction,
                    bytes,
                } => {
                    let view = self.site_views.entry(site).or_default();
                    view.bytes += bytes.len() as u64;
                    let raw = &mut view.raw;
                    raw.push_back(RawFrame {
                        at,
                        direction,
                        bytes,
                    });
                    while raw.len() > RAW_KEPT {
                        raw.pop_front();
                    }
                }
                CollectorEvent::Status { site, status } => {
                    self.site_views.entry(site).or_default().status = Some(status);
                }
                CollectorEvent::Log { site, at, message } => {
                    let log = &mut self.site_views.entry(site).or_default().log;
                    log.push_back((at, message));
                    while log.len() > LOG_KEPT {
                        log.pop_front();
                    }
                }
            }
        }
    }

    fn drain_jobs(&mut self, deadline: Instant) -> bool {
        let mut out_of_time = false;
        let mut finished = Vec::new();
        let mut rebuilt = Vec::new();
        for (i, job) in self.jobs.iter_mut().enumerate() {
            loop {
                if Instant::now() >= deadline {
                    out_of_time = true;
                    break;
                }
                match job.rx.try_recv() {
                    Ok(JobEvent::Progress { done, total }) => job.progress = Some((done, total)),
                    Ok(JobEvent::Records(batch)) => self.store.append(batch),
                    Ok(JobEvent::Imported {
                        origin, records, ..
                    }) => self.open_files.imported(&origin, records),
                    Ok(JobEvent::Refused(r)) => {
                        self.open_files.release(&r.path);
                        self.refused.push(r);
                    }
                    Ok(JobEvent::NotImported(path)) => self.open_files.release(&path),
                    Ok(JobEvent::Rebuilt { store, upto }) => rebuilt.push((store, upto)),
                    Ok(JobEvent::Finished(result)) => {
                        finished.push((i, result.map_err(|e| e.to_string())));
                        break;
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        finished.push((i, Err(format!("{} stopped unexpectedly", job.label))));
                        break;
                    }
                }
            }
        }
        for (mut store, upto) in rebuilt {
            // Rows that arrived while the store was rebuilt follow (none of the closed file's:
            // only a file whose import ended can be closed).
            store.append(self.store.filtered(upto, |_| true));
            self.replace_store(store);
        }
        let any_finished = !finished.is_empty();
        for (i, result) in finished.into_iter().rev() {
            let job = self.jobs.remove(i);
            match result {
                Ok(text) => self.notify(text),
                Err(text) => self.notify_error(text),
            }
            if job.then_collect {
                self.start_collecting();
            }
        }
        if any_finished {
            self.say_refused();
        }
        out_of_time
    }

    fn drain_probe(&mut self) {
        let Some(p) = &mut self.probe else { return };
        let Some(rx) = &p.rx else { return };
        loop {
            match rx.try_recv() {
                Ok(ProbeReport::Step(s)) => p.steps.push(s),
                Ok(ProbeReport::Done(v)) => {
                    p.verdict = Some(v);
                    p.rx = None;
                    break;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    p.rx = None;
                    break;
                }
            }
        }
    }

    fn drain_dialogs(&mut self) {
        let mut still = Vec::new();
        for p in std::mem::take(&mut self.pending) {
            match p {
                Pending::Dialog(purpose, rx) => match rx.try_recv() {
                    Err(TryRecvError::Empty) => still.push(Pending::Dialog(purpose, rx)),
                    Err(TryRecvError::Disconnected) => {}
                    Ok(picked) => self.picked(purpose, picked),
                },
                Pending::Folder(dir, rx) => match rx.try_recv() {
                    Err(TryRecvError::Empty) => still.push(Pending::Folder(dir, rx)),
                    Err(TryRecvError::Disconnected) | Ok(Ok(())) => {}
                    Ok(Err(e)) => self.folder_failed(dir, e),
                },
            }
        }
        self.pending.extend(still);
    }

    /// Gives new records to the call tracker, within the time budget.
    fn feed_tracker(&mut self, deadline: Instant) -> bool {
        while self.tracked < self.store.len() {
            if Instant::now() >= deadline {
                return true;
            }
            let end = (self.tracked + 512).min(self.store.len());
            for id in self.tracked..end {
                if let Some(r) = self.store.get(id as RowId) {
                    self.tracker.push_decoded(r.site(), &r.decode());
                }
            }
            self.tracked = end;
        }
        false
    }
}
