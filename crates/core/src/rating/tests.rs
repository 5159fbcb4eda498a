//! The rating rule, exhaustively: every scale × every score byte × ended or open × no rating,
//! inside or outside the change window.

use super::*;

const SCALES: [RatingScale; 3] = [RatingScale::Off, RatingScale::Thumbs, RatingScale::Stars];
const T0: Timestamp = Timestamp(1_000_000);

fn rated(score: u8, at: Timestamp) -> Rating {
    Rating {
        score,
        comment: None,
        rated_at: at,
    }
}

#[test]
fn thumbs_take_only_1_and_5_stars_1_to_5_off_nothing() {
    for scale in SCALES {
        for score in 0..=u8::MAX {
            let expected = match scale {
                RatingScale::Off => false,
                RatingScale::Thumbs => score == 1 || score == 5,
                RatingScale::Stars => (1..=5).contains(&score),
            };
            assert_eq!(score_allowed(scale, score), expected, "{scale:?} {score}");
        }
    }
}

#[test]
fn every_scale_score_and_state_decides_as_the_table_says() {
    let existing = rated(5, T0);
    let windows = [
        (None, T0, true),
        (Some(&existing), T0, true),
        (
            Some(&existing),
            Timestamp(T0.0 + CHANGE_WINDOW_MS - 1),
            true,
        ),
        (Some(&existing), Timestamp(T0.0 + CHANGE_WINDOW_MS), false),
        (
            Some(&existing),
            Timestamp(T0.0 + CHANGE_WINDOW_MS * 6),
            false,
        ),
    ];
    for scale in SCALES {
        for score in 0..=u8::MAX {
            for ended in [false, true] {
                for (prior, now, open_window) in windows {
                    let got = check(scale, ended, prior, score, Some(" ok "), now);
                    let expected = if scale == RatingScale::Off {
                        Err(RatingRefusal::Off)
                    } else if !score_allowed(scale, score) {
                        Err(RatingRefusal::BadScore)
                    } else if !ended {
                        Err(RatingRefusal::ChatOpen)
                    } else if !open_window {
                        Err(RatingRefusal::Closed)
                    } else {
                        Ok(CheckedRating {
                            score,
                            comment: Some("ok".into()),
                            first: prior.is_none(),
                        })
                    };
                    assert_eq!(
                        got, expected,
                        "{scale:?} {score} ended={ended} {prior:?} {now:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_window_is_ten_minutes_from_the_first_rating() {
    assert_eq!(CHANGE_WINDOW_MS, 600_000);
    assert!(may_change(T0, T0));
    assert!(may_change(T0, Timestamp(T0.0 + 599_999)));
    assert!(!may_change(T0, Timestamp(T0.0 + 600_000)));
    // A clock that jumped back still counts as inside the window.
    assert!(may_change(T0, Timestamp(T0.0 - 5)));
    // No overflow at the far end.
    assert!(may_change(Timestamp(i64::MAX), Timestamp(i64::MAX - 1)));
}

#[test]
fn comments_are_cleaned_and_cut() {
    assert_eq!(clean_comment(None), None);
    assert_eq!(clean_comment(Some("")), None);
    assert_eq!(clean_comment(Some(" \n\t ")), None);
    assert_eq!(clean_comment(Some("\u{0}\u{7}\u{1b}")), None);
    assert_eq!(
        clean_comment(Some("  Quick\u{0} and\r\nkind\u{202e} ")),
        Some("Quick and\nkind\u{202e}".into()),
        "control characters go, line breaks stay, text is kept as typed"
    );
    let long = "é".repeat(COMMENT_MAX_CHARS + 10);
    let cut = clean_comment(Some(&long)).expect("kept");
    assert_eq!(
        cut.chars().count(),
        COMMENT_MAX_CHARS,
        "characters, not bytes"
    );
    let spaced = format!("{} x", "a".repeat(COMMENT_MAX_CHARS - 1));
    assert_eq!(
        clean_comment(Some(&spaced)),
        Some("a".repeat(COMMENT_MAX_CHARS - 1)),
        "no trailing space after the cut"
    );
}

#[test]
fn good_means_four_or_more() {
    for score in 1..=5u8 {
        assert_eq!(rated(score, T0).is_good(), score >= 4, "{score}");
    }
}
