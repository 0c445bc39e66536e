import { useState, type FormEvent } from 'react';
import { http } from '../api/client';
import type { EmailTopic } from '../api/topic-types';
import { useAction, useApi } from '../api/use-api';
import { useApp } from './app-context';
import { Async } from './states';
import { Field, Panel } from './ui';

/** One topic: its name and description, renamed in place; archived with a click. */
function TopicRow({ topic, onChanged }: { topic: EmailTopic; onChanged: () => void }) {
  const { canWrite } = useApp();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(topic.name);
  const [description, setDescription] = useState(topic.description ?? '');
  const save = useAction((body: { name: string; description: string | null }) => http.patch<EmailTopic>(`/api/v1/messaging/topics/${encodeURIComponent(topic.id)}`, body));
  const archive = useAction(() => http.delete(`/api/v1/messaging/topics/${encodeURIComponent(topic.id)}`).then(() => true));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await save.run({ name, description: description.trim() || null })) {
      setEditing(false);
      onChanged();
    }
  };
  if (editing) {
    return (
      <li>
        <form onSubmit={(event) => void submit(event)} className="form-grid" aria-label={`Rename ${topic.name}`}>
          <Field label="Name"><input name="topic-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} /></Field>
          <Field label="Description"><input name="topic-description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={300} /></Field>
          <div className="row">
            <button type="submit" className="primary" disabled={save.pending}>Save</button>
            <button type="button" onClick={() => setEditing(false)}>Cancel</button>
          </div>
        </form>
        {save.error && <p className="form-error" role="alert">{save.error.describe()}</p>}
      </li>
    );
  }
  return (
    <li className="topic-row">
      <span><b>{topic.name}</b> <code className="muted">{topic.id}</code>{topic.description && <span className="muted"> — {topic.description}</span>}</span>
      {canWrite && (
        <span className="row">
          <button type="button" onClick={() => setEditing(true)}>Rename</button>
          <button type="button" className="danger" disabled={archive.pending} onClick={async () => { if (await archive.run()) onChanged(); }}>Archive</button>
        </span>
      )}
      {archive.error && <p className="form-error" role="alert">{archive.error.describe()}</p>}
    </li>
  );
}

/**
 * The store's email topics: what the preference page offers each recipient to keep or drop, and
 * what a campaign names. Dropping a topic stops only that topic's marketing email.
 */
export function TopicsPanel() {
  const { canWrite } = useApp();
  const { result, reload } = useApi('email-topics', () => http.get<{ data: EmailTopic[] }>('/api/v1/messaging/topics'));
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const add = useAction((body: { name: string; description: string | null }) => http.post<EmailTopic>('/api/v1/messaging/topics', body));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await add.run({ name, description: description.trim() || null })) {
      setName('');
      setDescription('');
      reload();
    }
  };
  return (
    <Panel title="Email topics" testId="email-topics" definition="The preference page behind every marketing email lists these topics with a checkbox each. A campaign names its topic; a customer who unticks a topic gets no more of its email, and still gets the others. Archiving a topic takes it off the page; the choices made stay.">
      <Async result={result} onRetry={reload} isEmpty={(d) => d.data.length === 0} empty="No topics: marketing email is all or nothing for your customers.">
        {(data) => <ul className="plain-list topic-list">{data.data.map((topic) => <TopicRow key={topic.id} topic={topic} onChanged={reload} />)}</ul>}
      </Async>
      {canWrite && (
        <form onSubmit={(event) => void submit(event)} className="form-grid" aria-label="Add an email topic" style={{ marginTop: 14 }}>
          <Field label="New topic"><input name="new-topic-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} placeholder="Events" /></Field>
          <Field label="Description" hint="Shown under the topic on the preference page."><input name="new-topic-description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={300} /></Field>
          <div><button type="submit" className="primary" disabled={add.pending}>Add topic</button></div>
          {add.error && <p className="form-error" role="alert">{add.error.describe()}</p>}
        </form>
      )}
    </Panel>
  );
}
