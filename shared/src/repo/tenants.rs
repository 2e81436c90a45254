//! Tenants. Sign-up creates one; the tenant lifecycle (provisioning, suspension, deletion)
//! builds on this record.
use crate::domain::ids::TenantId;
use crate::ports::item_store::{Cond, Item, ItemStore, StoreError, Write};
use crate::repo::keys;

pub use crate::domain::tenant::{Tenant, TenantStatus};

/// A URL-safe slug from an organisation name: lower-case letters, digits and dashes.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(48).collect();
    if slug.is_empty() { "org".into() } else { slug.trim_end_matches('-').to_string() }
}

/// The writes that create a tenant and claim its slug (the claim fails on a taken slug).
pub fn create(tenant: &Tenant) -> Result<Vec<Write>, StoreError> {
    let claim = Item::new(keys::slug_claim(&tenant.slug)).with("tenant_id", tenant.id.as_str());
    let item = Item::from_record(keys::tenant(&tenant.id), tenant)?.with_gsi1(keys::TENANTS_GSI1PK, tenant.id.as_str());
    Ok(vec![Write::put(claim).when(Cond::Absent), Write::put(item).when(Cond::Absent)])
}

pub async fn get(store: &dyn ItemStore, id: &TenantId) -> Result<Option<Tenant>, StoreError> {
    store.get(&keys::tenant(id)).await?.map(|i| i.record()).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Acme Widgets, Inc."), "acme-widgets-inc");
        assert_eq!(slugify("  ---  "), "org");
        assert_eq!(slugify("Zoë & Co"), "zo-co");
    }
}
