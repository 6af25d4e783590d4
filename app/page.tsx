export default function Home() {
  return <main className="p-8">Grantex SSO Console</main>;
}
