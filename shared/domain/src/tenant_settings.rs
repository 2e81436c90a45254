//! A tenant's settings, in API.md's shape: `organization {name, logo_url, address}`,
//! `security {password_min_length, require_mfa, session_timeout_minutes, ip_allowlist}`,
//! `notifications {billing_emails, usage_alerts, security_alerts, product_updates}`.
//!
//! Stored as one JSON object on the tenant. A patch (`SettingsPatch`) names the fields it
//! changes and leaves the others; `null` clears an optional one. Provisioning fills the
//! defaults only where a field is absent, so what the platform admin gave at creation wins.
//!
//! Not the enforcement of the security policy (sign-in reads it when that lands); this module
//! only keeps the stored values inside their domain.
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value, json};

use crate::text::parse_line;

pub const PASSWORD_MIN_LENGTH: std::ops::RangeInclusive<i64> = 8..=128;
pub const SESSION_TIMEOUT_MINUTES: std::ops::RangeInclusive<i64> = 5..=43_200;
pub const MAX_ALLOWLIST: usize = 100;

/// A field refused, by its path under `settings` (`security.password_min_length`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SettingsError {
    pub field: String,
    pub message: String,
}

fn refuse(field: &str, message: impl ToString) -> SettingsError {
    SettingsError { field: field.into(), message: message.to_string() }
}

/// `Some(None)` for an explicit `null`, `None` for an absent field.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// An `https://` (or `http://`) URL; `null` removes it.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub logo_url: Option<Option<String>>,
    /// Postal address, up to 500 characters (line breaks allowed); `null` removes it.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityPatch {
    /// 8 to 128.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_min_length: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_mfa: Option<bool>,
    /// 5 to 43200 (30 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_timeout_minutes: Option<i64>,
    /// CIDR blocks (`203.0.113.0/24`, `2001:db8::/32`); a bare address means just it. Empty:
    /// any address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_allowlist: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationsPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_emails: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_alerts: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_alerts: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_updates: Option<bool>,
}

/// The settings a request changes; unknown fields are refused by the JSON layer (400).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<OrganizationPatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<SecurityPatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<NotificationsPatch>,
}

impl SettingsPatch {
    /// The patch with every value checked and normalised (trimmed text, canonical CIDRs).
    pub fn parse(mut self) -> Result<SettingsPatch, SettingsError> {
        if let Some(org) = &mut self.organization {
            if let Some(name) = &org.name {
                org.name = Some(parse_line(name, 100).map_err(|e| refuse("organization.name", e))?);
            }
            if let Some(Some(url)) = &org.logo_url {
                org.logo_url = Some(Some(parse_url(url).map_err(|m| refuse("organization.logo_url", m))?));
            }
            if let Some(Some(address)) = &org.address {
                org.address = Some(Some(parse_address(address).map_err(|m| refuse("organization.address", m))?));
            }
        }
        if let Some(security) = &mut self.security {
            if let Some(n) = security.password_min_length.filter(|n| !PASSWORD_MIN_LENGTH.contains(n)) {
                return Err(refuse("security.password_min_length", format!("must be from 8 to 128, not {n}")));
            }
            if let Some(n) = security.session_timeout_minutes.filter(|n| !SESSION_TIMEOUT_MINUTES.contains(n)) {
                return Err(refuse("security.session_timeout_minutes", format!("must be from 5 to 43200, not {n}")));
            }
            if let Some(list) = &security.ip_allowlist {
                if list.len() > MAX_ALLOWLIST {
                    return Err(refuse("security.ip_allowlist", format!("holds at most {MAX_ALLOWLIST} blocks")));
                }
                let parsed = list
                    .iter()
                    .enumerate()
                    .map(|(i, c)| parse_cidr(c).map_err(|m| refuse(&format!("security.ip_allowlist[{i}]"), m)))
                    .collect::<Result<Vec<_>, _>>()?;
                security.ip_allowlist = Some(parsed);
            }
        }
        Ok(self)
    }

    /// `current` with the fields of this patch replaced.
    pub fn apply(&self, current: &Value) -> Value {
        let patch = serde_json::to_value(self).unwrap_or(Value::Null);
        merge(current, &patch)
    }
}

/// The platform's defaults for a tenant named `organization`.
pub fn defaults(organization: &str) -> Value {
    json!({
        "organization": {"name": organization, "logo_url": null, "address": null},
        "security": {
            "password_min_length": 12,
            "require_mfa": false,
            "session_timeout_minutes": 480,
            "ip_allowlist": [],
        },
        "notifications": {
            "billing_emails": true,
            "usage_alerts": true,
            "security_alerts": true,
            "product_updates": false,
        },
    })
}

/// `current` with every field of `defaults` it lacks added; what it has is kept as it is.
pub fn fill_defaults(current: &Value, defaults: &Value) -> Value {
    match (current, defaults) {
        (Value::Object(have), Value::Object(want)) => {
            let mut out = have.clone();
            for (key, default) in want {
                let merged = match have.get(key) {
                    Some(value) => fill_defaults(value, default),
                    None => default.clone(),
                };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Null, want) => want.clone(),
        (have, _) => have.clone(),
    }
}

/// JSON merge: objects merge key by key, anything else replaces.
fn merge(current: &Value, patch: &Value) -> Value {
    match (current, patch) {
        (Value::Object(have), Value::Object(change)) => {
            let mut out: Map<String, Value> = have.clone();
            for (key, value) in change {
                let merged = match have.get(key) {
                    Some(old) => merge(old, value),
                    None => merge(&Value::Null, value),
                };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        (_, Value::Object(change)) => merge(&Value::Object(Map::new()), &Value::Object(change.clone())),
        (_, value) => value.clone(),
    }
}

fn parse_url(raw: &str) -> Result<String, String> {
    let url = raw.trim();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).ok_or("must be an http(s) URL")?;
    if rest.is_empty() || url.len() > 2048 || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must be an http(s) URL of at most 2048 characters, without spaces".into());
    }
    Ok(url.to_string())
}

fn parse_address(raw: &str) -> Result<String, String> {
    let address = raw.trim();
    if address.is_empty() {
        return Err("must not be empty (send null to remove it)".into());
    }
    if address.chars().count() > 500 {
        return Err("must be at most 500 characters".into());
    }
    if address.chars().any(|c| c.is_control() && c != '\n') {
        return Err("must not contain control characters".into());
    }
    Ok(address.to_string())
}

/// A CIDR block in canonical form: the network address and its prefix length.
fn parse_cidr(raw: &str) -> Result<String, String> {
    use std::net::IpAddr;
    let bad = || format!("`{}` is not a CIDR block", raw.chars().take(64).collect::<String>());
    let (addr, prefix) = match raw.trim().split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (raw.trim(), None),
    };
    let ip: IpAddr = addr.parse().map_err(|_| bad())?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let prefix: u32 = match prefix {
        None => max,
        Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().map_err(|_| bad())?,
        Some(_) => return Err(bad()),
    };
    if prefix > max {
        return Err(bad());
    }
    let network = match ip {
        IpAddr::V4(v4) => {
            let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
            IpAddr::V4((u32::from(v4) & mask).into())
        }
        IpAddr::V6(v6) => {
            let mask = if prefix == 0 { 0 } else { u128::MAX << (128 - prefix) };
            IpAddr::V6((u128::from(v6) & mask).into())
        }
    };
    Ok(format!("{network}/{prefix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(value: Value) -> Result<SettingsPatch, SettingsError> {
        serde_json::from_value::<SettingsPatch>(value).expect("well-typed").parse()
    }

    #[test]
    fn defaults_fill_only_what_is_absent() {
        let given = json!({"security": {"require_mfa": true}, "organization": {"name": "Given"}});
        let filled = fill_defaults(&given, &defaults("Acme"));
        assert_eq!(filled["security"]["require_mfa"], true);
        assert_eq!(filled["security"]["password_min_length"], 12);
        assert_eq!(filled["organization"]["name"], "Given");
        assert_eq!(filled["notifications"]["billing_emails"], true);
        assert_eq!(fill_defaults(&filled, &defaults("Other")), filled, "filling twice changes nothing");
        assert_eq!(fill_defaults(&Value::Null, &defaults("Acme"))["organization"]["name"], "Acme");
    }

    #[test]
    fn a_patch_changes_only_the_fields_it_names() {
        let current = defaults("Acme");
        let p = patch(json!({"security": {"session_timeout_minutes": 60}, "organization": {"logo_url": null}})).unwrap();
        let next = p.apply(&current);
        assert_eq!(next["security"]["session_timeout_minutes"], 60);
        assert_eq!(next["security"]["password_min_length"], 12);
        assert_eq!(next["organization"]["logo_url"], Value::Null);
        assert_eq!(next["organization"]["name"], "Acme");
    }

    #[test]
    fn values_outside_their_domain_are_refused_by_their_path() {
        let field = |v: Value| patch(v).unwrap_err().field;
        assert_eq!(field(json!({"security": {"password_min_length": 4}})), "security.password_min_length");
        assert_eq!(field(json!({"security": {"session_timeout_minutes": 0}})), "security.session_timeout_minutes");
        assert_eq!(field(json!({"security": {"ip_allowlist": ["10.0.0.0/8", "nope"]}})), "security.ip_allowlist[1]");
        assert_eq!(field(json!({"organization": {"name": " "}})), "organization.name");
        assert_eq!(field(json!({"organization": {"logo_url": "ftp://x"}})), "organization.logo_url");
        assert_eq!(field(json!({"organization": {"address": "a\u{7}b"}})), "organization.address");
    }

    #[test]
    fn cidr_blocks_are_stored_in_canonical_form() {
        let p = patch(json!({"security": {"ip_allowlist": ["10.1.2.3/8", "203.0.113.7", "2001:db8::1/32"]}})).unwrap();
        let list = p.security.unwrap().ip_allowlist.unwrap();
        assert_eq!(list, ["10.0.0.0/8", "203.0.113.7/32", "2001:db8::/32"]);
        for bad in ["10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "::/129", "10.0.0.0/+8"] {
            assert!(parse_cidr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_settings_fields_do_not_deserialize() {
        assert!(serde_json::from_value::<SettingsPatch>(json!({"security": {"root": true}})).is_err());
        assert!(serde_json::from_value::<SettingsPatch>(json!({"theme": "dark"})).is_err());
    }
}
