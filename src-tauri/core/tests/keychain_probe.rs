//! The keychain probe against whatever this machine really has. `./dev test` runs the suite in a
//! private D-Bus session with an unlocked GNOME Keyring, so there the probe must succeed; with no
//! session bus at all it must fail with `keychain_unavailable`, never hang or panic.

use std::time::Duration;
use yespo_core::{keychain, ErrorCode};

#[test]
fn probe_matches_what_this_machine_offers() {
    let result = keychain::probe(Duration::from_secs(10));
    let has_session_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
    if has_session_bus && std::env::var_os("YESPO_ADMIN_TEST_KEYCHAIN").is_some() {
        let status = result.expect("the test keychain (unlocked gnome-keyring) must answer");
        assert_eq!(status.backend, keychain::backend_name());
    } else if !has_session_bus && cfg!(target_os = "linux") {
        let error = result.expect_err("with no D-Bus session there is no Secret Service");
        assert_eq!(error.code, ErrorCode::KeychainUnavailable, "{error:?}");
        assert!(error.message.contains("Secret Service"), "{}", error.message);
    } else {
        // A desktop session we did not set up: either answer is possible, but it must be one of
        // the two documented outcomes, quickly.
        if let Err(error) = result {
            assert_eq!(error.code, ErrorCode::KeychainUnavailable, "{error:?}");
        }
    }
}
