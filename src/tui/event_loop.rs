//! The app loop: input, results and signals become messages; `update` turns
//! them into state changes and effects; the screen is redrawn only when the
//! state says so, after all pending messages have been applied.

use std::io;

use crossterm::event::EventStream;
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use super::executor::Executor;
use super::terminal::Tty;
use crate::app::{self, Msg, State};
use crate::ui;

/// Runs until the user quits or a terminating signal arrives.
pub async fn run(terminal: &mut Tty, mut state: State) -> io::Result<State> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let executor = Executor::new(tx);
    let mut events = EventStream::new();
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut int = signal(SignalKind::interrupt())?;

    let size = terminal.size()?;
    dispatch(&mut state, Msg::Resize { width: size.width, height: size.height }, &executor);
    for effect in app::start(&mut state) {
        executor.run(effect);
    }

    loop {
        if state.needs_render {
            terminal.draw(|frame| ui::render(&state, frame))?;
            state.needs_render = false;
        }
        if state.quit {
            return Ok(state);
        }
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => Msg::from_event(event),
                Some(Err(e)) => return Err(e),
                None => Some(Msg::Terminate),
            },
            Some(msg) = rx.recv() => Some(msg),
            _ = term.recv() => Some(Msg::Terminate),
            _ = hup.recv() => Some(Msg::Terminate),
            _ = int.recv() => Some(Msg::Terminate),
        };
        if let Some(msg) = msg {
            dispatch(&mut state, msg, &executor);
        }
        while let Ok(msg) = rx.try_recv() {
            dispatch(&mut state, msg, &executor);
        }
    }
}

fn dispatch(state: &mut State, msg: Msg, executor: &Executor) {
    for effect in app::update(state, msg) {
        executor.run(effect);
    }
}
