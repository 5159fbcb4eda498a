//! Verified visitor identity (issue 18): the shell around `frontdesk_core::identity`.
//!
//! [`identify`] is THE point where a visitor becomes identified (a `visitor.identified`
//! webhook hooks in here): it decides the claim a hello carries, picks the visitor the
//! connection is for and stores the identity. Only a verified external id is looked up and
//! mapped to a visitor (the same visitor on every browser); an unverified one stays on the
//! visitor it came with and never reaches a verified visitor, so nobody reads someone else's
//! history by typing their id.
//!
//! [`rotate_secret`] makes a site's "Identity secret".

use crate::error::{AppError, AppResult};
use crate::state::App;
use frontdesk_core::identity::{self, Decision, Refusal, VisitorProfile};
use frontdesk_core::model::Site;
use frontdesk_core::{ErrorCode, Timestamp, VisitorId};

/// What [`identify`] decided.
#[derive(Debug, Clone)]
pub struct Identified {
    /// The visitor this connection is for.
    pub visitor: VisitorId,
    /// `welcome.identity`: `verified`, `unverified` or `refused`.
    pub outcome: &'static str,
}

/// Decides `claim` (`hello.identity`, JSON as sent) for a hello whose token names
/// `candidate` (a fresh id when it had none) and stores the identity. The visitor (created
/// if new) exists afterwards when the claim was verified or unverified.
pub async fn identify(
    app: &App,
    site: &Site,
    candidate: VisitorId,
    claim: &serde_json::Value,
) -> AppResult<Identified> {
    let decision = match identity::claim_from_json(claim) {
        Ok(claim) => {
            let secrets = app.store.identity_secrets(site.id).await?;
            identity::decide(
                &claim,
                secrets.as_ref(),
                &site.settings.identity,
                &app.settings.limits.identity,
                app.now(),
            )
        }
        // Not of the claim's shape (an unknown field, an id that is no string, a list).
        Err(why) => Decision::Refused(Refusal::Invalid(why)),
    };
    let outcome = decision.word();
    let visitor = match decision {
        Decision::Refused(why) => {
            tracing::debug!(site = site.id.0, ?why, "identity refused");
            candidate
        }
        Decision::Unverified(profile) => unverified(app, site, candidate, profile).await?,
        Decision::Verified(profile) => verified(app, site, candidate, profile).await?,
    };
    Ok(Identified { visitor, outcome })
}

/// An unverified claim is kept on the hello's own visitor, unless that visitor is a verified
/// one: then, for the same external id the verified identity stays as it is; for another
/// one a new anonymous visitor takes the claim (a claim never changes a verified visitor).
async fn unverified(
    app: &App,
    site: &Site,
    candidate: VisitorId,
    profile: VisitorProfile,
) -> AppResult<VisitorId> {
    let visitor = match app.store.visitor_profile(site.id, &candidate).await? {
        Some(held) if held.verified && held.external_id == profile.external_id => {
            return Ok(candidate);
        }
        Some(held) if held.verified => crate::security::new_visitor_id(),
        _ => candidate,
    };
    save(app, site, &visitor, &profile).await?;
    Ok(visitor)
}

/// A verified external id is one visitor of the site: the one already holding it, else the
/// hello's own visitor (its anonymous history becomes the customer's) unless that one is
/// another customer's, else a new one. Two first hellos at once: one wins, both get it.
async fn verified(
    app: &App,
    site: &Site,
    candidate: VisitorId,
    profile: VisitorProfile,
) -> AppResult<VisitorId> {
    if let Some(held) = app
        .store
        .visitor_of_identity(site.id, &profile.external_id)
        .await?
    {
        save(app, site, &held, &profile).await?;
        return Ok(held);
    }
    let mine = match app.store.visitor_profile(site.id, &candidate).await? {
        Some(held) if held.verified => crate::security::new_visitor_id(),
        _ => candidate,
    };
    match save(app, site, &mine, &profile).await {
        Ok(()) => Ok(mine),
        // The unique index: another hello made this customer's visitor meanwhile.
        Err(e) if e.code == ErrorCode::Conflict => {
            let held = app
                .store
                .visitor_of_identity(site.id, &profile.external_id)
                .await?
                .ok_or_else(|| AppError::new(ErrorCode::Unavailable, "Try again."))?;
            save(app, site, &held, &profile).await?;
            Ok(held)
        }
        Err(e) => Err(e),
    }
}

/// Creates the visitor if new, then stores the identity on it.
async fn save(
    app: &App,
    site: &Site,
    visitor: &VisitorId,
    profile: &VisitorProfile,
) -> AppResult<()> {
    let now = app.now();
    app.store.touch_visitor(site.id, visitor, now).await?;
    app.store
        .save_visitor_profile(site.id, visitor, profile, now)
        .await?;
    Ok(())
}

/// A new secret for the site ("Rotate identity secret"): 32 random bytes, URL-safe base64.
/// The previous one stays valid for `limits.identity.secret_grace_secs`. Returns the secret
/// (shown once) and when the previous one stops being valid.
pub async fn rotate_secret(app: &App, site: &Site) -> AppResult<(String, Timestamp)> {
    let secret = crate::security::random_token();
    let now = app.now();
    let grace = i64::try_from(
        app.settings
            .limits
            .identity
            .secret_grace_secs
            .saturating_mul(1000),
    )
    .unwrap_or(i64::MAX);
    let until = Timestamp(now.0.saturating_add(grace));
    app.store
        .rotate_identity_secret(site.id, &secret, now, until)
        .await?;
    Ok((secret, until))
}
