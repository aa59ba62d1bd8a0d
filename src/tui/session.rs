//! What the screen works with (the store, the person, their signer, the clock) and the app it
//! opens on, loaded from the store.

use crate::config::{Config, Person, Role};
use crate::domain::signing::{Clock, SharedSigner};
use crate::error::{failed, usage};
use crate::store::Store;

use super::app::{self, App, SavedView};
use super::data;
use super::effects::perform_all;
use super::keymap::Keymap;
use super::theme::Theme;

/// What the screen opens on.
#[derive(Debug, Clone, Default)]
pub struct Open {
    pub sample: Option<String>,
    pub view: Option<String>,
}

/// Everything the loop needs besides the app.
pub struct Session {
    pub db: Box<dyn Store>,
    pub cfg: Config,
    pub person: Person,
    /// Read at each decision, so that a decision carries the moment it was made.
    pub clock: Clock,
    /// Signs the person's decisions (or says why it cannot).
    pub signer: SharedSigner,
    pub keys: Keymap,
    pub theme: Theme,
}

impl Session {
    pub(super) fn scope(&self) -> Option<Vec<String>> {
        (self.person.role == Role::DivisionHead).then(|| self.person.divisions.clone())
    }

    pub(super) fn now(&self) -> i64 {
        (self.clock)().timestamp()
    }
}

pub fn saved_views(cfg: &Config) -> Vec<SavedView> {
    cfg.review
        .views
        .iter()
        .map(|v| SavedView {
            name: v.name.clone(),
            division: v.division.clone(),
            status: v.status.clone(),
            likelihood_max: v.likelihood_max,
            wants_contact: v.wants_contact,
        })
        .collect()
}

/// Builds the app and loads what it opens on. Used by the loop and by tests.
pub fn prepare(s: &mut Session, open: &Open) -> anyhow::Result<App> {
    let mut app = App::new(
        s.person.clone(),
        s.cfg.decisions.reasons.clone(),
        s.cfg.decisions.due_working_days,
        saved_views(&s.cfg),
    );
    app.plan_defaults = (s.cfg.sampling.confidence, s.cfg.sampling.tolerable);
    if let Some(name) = &open.view {
        let i = app
            .views
            .iter()
            .position(|v| v.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                usage(format!(
                    "no saved view {name:?} (views: {})",
                    app.views
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        app.active_view = Some(i);
    }
    let sample = match &open.sample {
        Some(k) => Some(
            s.db.sample(k)?
                .ok_or_else(|| failed(format!("no sample {k:?}")))?,
        ),
        None => s.db.latest_sample()?,
    };
    let rows = match (&sample, s.person.role) {
        // A division head's list: the sample's items of their divisions and whatever else of
        // theirs is still in play.
        (_, Role::DivisionHead) => {
            s.db.division_rows(&s.person.divisions, sample.as_ref().map(|x| x.id), s.now())?
        }
        (Some(smp), _) => s.db.sample_rows(smp.id, s.scope().as_deref(), s.now())?,
        (None, _) => Vec::new(),
    };
    if s.person.role != Role::DivisionHead {
        app.sample = sample.as_ref().map(data::SampleInfo::from);
    }
    app.set_rows(rows);
    let mut eff = app.open_on_work();
    if app.rows.is_empty() && app.sample.is_none() && s.person.role == Role::Executive {
        eff = app.update(app::Action::DrawSample);
    }
    perform_all(s, &mut app, eff);
    Ok(app)
}
