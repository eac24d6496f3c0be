// A recovery or backup key shown in large, numbered monospace groups, easy to copy onto paper.
export function RecoveryKeyGroups({ value, label }: { value: string; label: string }) {
  const groups = value.split("-").filter(Boolean);
  return (
    <figure className="key-groups" aria-label={label}>
      <figcaption className="key-groups-caption">{label}</figcaption>
      <ol className="key-groups-list" data-testid="recovery-key">
        {groups.map((g, i) => (
          <li key={i} className="key-group">
            <span className="key-group-number" aria-hidden="true">
              {i + 1}
            </span>
            <span className="key-group-text">{g}</span>
          </li>
        ))}
      </ol>
    </figure>
  );
}
