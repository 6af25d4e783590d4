export { AppShell, SiteHeader, SiteFooter, type ShellOrg } from './app-shell';
export { AdminShell } from './admin-shell';
export { SignOutButton } from './sign-out-button';
