//! The whole application state. Only `update` changes it; `ui::render` reads it.

use std::path::PathBuf;

use jiff::tz::TimeZone;

use super::pane::Pane;
use super::side::Side;
use crate::fs::Location;

#[derive(Debug, Clone)]
pub struct State {
    pub panes: [Pane; 2],
    pub focus: Side,
    /// Terminal size in cells.
    pub size: (u16, u16),
    /// Time zone for showing modification times.
    pub tz: TimeZone,
    /// Set when the screen must be redrawn; cleared by the runtime after drawing.
    pub needs_render: bool,
    pub quit: bool,
}

impl State {
    pub fn new(left: PathBuf, right: PathBuf, tz: TimeZone) -> Self {
        Self {
            panes: [Pane::new(Location::Local(left)), Pane::new(Location::Local(right))],
            focus: Side::Left,
            size: (80, 24),
            tz,
            needs_render: true,
            quit: false,
        }
    }

    pub fn pane(&self, side: Side) -> &Pane {
        &self.panes[side.index()]
    }

    pub fn pane_mut(&mut self, side: Side) -> &mut Pane {
        &mut self.panes[side.index()]
    }

    pub fn focused(&self) -> &Pane {
        self.pane(self.focus)
    }

    pub fn focused_mut(&mut self) -> &mut Pane {
        self.pane_mut(self.focus)
    }
}
