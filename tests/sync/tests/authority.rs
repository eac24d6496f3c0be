//! The server's copy of the role permissions agrees with clinic-core's, role by role and permission by
//! permission, so the server refuses exactly what the desks refuse.

use clinic_core::rbac::{Permission, Role};

#[test]
fn the_server_grants_each_role_exactly_what_the_desk_does() {
    for role in Role::ALL {
        for permission in Permission::ALL {
            let name = serde_json::to_value(permission).expect("name");
            let name = name.as_str().expect("a permission's name is text");
            assert_eq!(
                clinic_server::role_can(role.as_str(), name),
                role.can(permission),
                "{} / {name}",
                role.as_str()
            );
        }
    }
}
