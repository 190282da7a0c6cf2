import { NavLink, Navigate, Route, Routes } from 'react-router-dom';
import { UsersPanel } from './UsersPanel';
import { OrganizationsPanel } from './OrganizationsPanel';
import { AuditPanel } from './AuditPanel';
import { ApiClientsPanel } from '../security/ApiClientsPanel';
import { SsoProvidersPanel } from '../security/SsoProvidersPanel';
import { MfaResetPanel } from '../security/MfaResetPanel';
import { SpecialistEditPanel, SpecialistsPanel } from '../routingAdmin/SpecialistsPanel';
import { RoutingRulesPanel } from '../routingAdmin/RoutingRulesPanel';

/** /admin: accounts, organizations and the audit trail. */
export function AdminPage() {
  return (
    <section className="page">
      <h1>Administration</h1>
      <nav className="tabs" aria-label="Administration">
        <NavLink to="/admin/users">Users</NavLink>
        <NavLink to="/admin/organizations">Organizations</NavLink>
        <NavLink to="/admin/audit">Audit trail</NavLink>
        <NavLink to="/admin/api-clients">API clients</NavLink>
        <NavLink to="/admin/sso">Single sign-on</NavLink>
        <NavLink to="/admin/two-step">Two-step resets</NavLink>
        <NavLink to="/admin/specialists">Specialists</NavLink>
        <NavLink to="/admin/routing-rules">Routing rules</NavLink>
      </nav>
      <Routes>
        <Route index element={<Navigate to="users" replace />} />
        <Route path="users" element={<UsersPanel />} />
        <Route path="organizations" element={<OrganizationsPanel />} />
        <Route path="audit" element={<AuditPanel />} />
        <Route path="api-clients" element={<ApiClientsPanel />} />
        <Route path="sso" element={<SsoProvidersPanel />} />
        <Route path="two-step" element={<MfaResetPanel />} />
        <Route path="specialists" element={<SpecialistsPanel />} />
        <Route path="specialists/:userId" element={<SpecialistEditPanel />} />
        <Route path="routing-rules" element={<RoutingRulesPanel />} />
      </Routes>
    </section>
  );
}
