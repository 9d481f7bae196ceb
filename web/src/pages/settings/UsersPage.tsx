import { type FormEvent, useState } from 'react';
import { api } from '../../api';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { Badge, EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { Field } from '../../components/Field';
import { CancelSubmitButtons } from '../../components/FormButtons';
import { Menu, type MenuItem } from '../../components/Menu';
import { PageHeader } from '../../components/PageHeader';
import { SecretDialog } from '../../components/SecretDialog';
import { useToast } from '../../components/Toast';
import { fieldError } from '../../errors';
import { usePaged } from '../../hooks';
import { useI18n } from '../../i18n';
import { roleLabel, userStatus } from '../../labels';
import { usePermissions } from '../../permissions';
import { useSession } from '../../session';
import { USER_ROLES, type User, type UserRole } from '../../types';

type Modal =
  | { kind: 'invite' }
  | { kind: 'role'; user: User }
  | { kind: 'disable'; user: User }
  | { kind: 'resetPassword'; user: User }
  | { kind: 'resetMfa'; user: User }
  | { kind: 'password'; user: { email: string }; oneTimePassword: string };

export function UsersPage() {
  const { t, formatDateTime } = useI18n();
  const { session } = useSession();
  const manage = usePermissions().can('users:manage');
  const notify = useToast();
  const users = usePaged((cursor) => api.users.list(cursor), []);
  const [modal, setModal] = useState<Modal | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  const replace = (user: User) =>
    users.update((list) => list.map((u) => (u.id === user.id ? user : u)));
  const close = () => setModal(null);

  const enable = async (user: User) => {
    setActionError(null);
    try {
      replace(await api.users.update(user.id, { disabled: false }));
      notify(t('users.enabled', { email: user.email }));
    } catch (e) {
      setActionError(e);
    }
  };

  const inviteButton = (
    <button
      type="button"
      className="button button-primary"
      onClick={() => setModal({ kind: 'invite' })}
      data-testid="user-invite"
    >
      {t('users.invite')}
    </button>
  );

  return (
    <>
      <PageHeader
        eyebrow={t('nav.settings')}
        title={t('users.title')}
        description={t('users.description')}
        actions={manage && users.items.length > 0 ? inviteButton : undefined}
      />
      <ErrorBanner error={actionError} />
      <section className="card card-flush">
        {users.loading ? (
          <Loading />
        ) : users.error && users.items.length === 0 ? (
          <div className="card-pad">
            <ErrorBanner error={users.error} onRetry={users.reload} />
          </div>
        ) : users.items.length === 0 ? (
          <EmptyState
            title={t('users.empty')}
            action={manage ? inviteButton : undefined}
            testId="users-empty"
          >
            <p>{t('users.emptyText')}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="users-table">
              <caption className="visually-hidden">{t('users.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('users.email')}</th>
                  <th scope="col">{t('users.name')}</th>
                  <th scope="col">{t('users.role')}</th>
                  <th scope="col">{t('users.mfa')}</th>
                  <th scope="col">{t('users.status')}</th>
                  <th scope="col">{t('users.lastLogin')}</th>
                  {manage && (
                    <th scope="col">
                      <span className="visually-hidden">{t('common.actions')}</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {users.items.map((user) => {
                  const status = userStatus(t, user.status);
                  const self = user.id === session.user?.id;
                  const items: MenuItem[] = [
                    {
                      label: t('users.changeRole'),
                      onSelect: () => setModal({ kind: 'role', user }),
                      testId: 'user-action-role',
                    },
                    {
                      label: t('users.resetPassword'),
                      onSelect: () => setModal({ kind: 'resetPassword', user }),
                      testId: 'user-action-reset-password',
                    },
                    {
                      label: t('users.resetMfa'),
                      onSelect: () => setModal({ kind: 'resetMfa', user }),
                      testId: 'user-action-reset-mfa',
                      hidden: !user.mfaEnabled,
                    },
                    user.status === 'disabled'
                      ? {
                          label: t('users.enable'),
                          onSelect: () => void enable(user),
                          testId: 'user-action-enable',
                        }
                      : {
                          label: t('users.disable'),
                          onSelect: () => setModal({ kind: 'disable', user }),
                          testId: 'user-action-disable',
                          danger: true,
                          hidden: self,
                        },
                  ];
                  return (
                    <tr key={user.id} data-testid="user-row" data-email={user.email}>
                      <td className="cell-strong">
                        {user.email}
                        {self && <span className="muted"> · {t('users.you')}</span>}
                      </td>
                      <td>{user.name}</td>
                      <td>{roleLabel(t, user.role)}</td>
                      <td>
                        {user.mfaEnabled ? (
                          <Badge tone="success">{t('users.mfaOn')}</Badge>
                        ) : (
                          <Badge tone="neutral">{t('users.mfaOff')}</Badge>
                        )}
                      </td>
                      <td>
                        <Badge tone={status.tone} testId="user-status">
                          {status.label}
                        </Badge>
                      </td>
                      <td>
                        {user.lastLoginAt ? (
                          formatDateTime(user.lastLoginAt)
                        ) : (
                          <span className="muted">{t('common.never')}</span>
                        )}
                      </td>
                      {manage && (
                        <td className="cell-actions">
                          <Menu
                            label={t('users.actionsFor', { email: user.email })}
                            buttonClassName="icon-button icon-button-bordered"
                            buttonContent={<span aria-hidden="true">⋯</span>}
                            items={items}
                            testId="user-actions"
                          />
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {Boolean(users.error) && users.items.length > 0 && (
          <div className="card-pad">
            <ErrorBanner error={users.error} />
          </div>
        )}
        {users.nextCursor && (
          <div className="card-footer">
            <button
              type="button"
              className="button button-secondary"
              onClick={users.loadMore}
              disabled={users.loadingMore}
              data-testid="users-load-more"
            >
              {users.loadingMore ? t('common.loading') : t('common.loadMore')}
            </button>
          </div>
        )}
      </section>

      {modal?.kind === 'invite' && (
        <InviteDialog
          onClose={close}
          onInvited={(user, oneTimePassword) => {
            users.update((list) => [...list, user]);
            setModal({ kind: 'password', user, oneTimePassword });
          }}
        />
      )}
      {modal?.kind === 'role' && (
        <RoleDialog
          user={modal.user}
          onClose={close}
          onSaved={(user) => {
            replace(user);
            notify(t('users.roleChanged', { email: user.email, role: roleLabel(t, user.role) }));
            close();
          }}
        />
      )}
      {modal?.kind === 'disable' && (
        <ConfirmDialog
          title={t('users.disableTitle')}
          message={t('users.disableText', { email: modal.user.email })}
          confirmLabel={t('users.disable')}
          danger
          onClose={close}
          onConfirm={async () => {
            replace(await api.users.update(modal.user.id, { disabled: true }));
            notify(t('users.disabled', { email: modal.user.email }));
          }}
        />
      )}
      {modal?.kind === 'resetPassword' && (
        <ConfirmDialog
          title={t('users.resetPasswordTitle')}
          message={t('users.resetPasswordText', { email: modal.user.email })}
          confirmLabel={t('users.resetPassword')}
          danger
          onClose={close}
          closeOnSuccess={false}
          onConfirm={async () => {
            const { oneTimePassword } = await api.users.resetPassword(modal.user.id);
            users.reload();
            setModal({ kind: 'password', user: modal.user, oneTimePassword });
          }}
        />
      )}
      {modal?.kind === 'resetMfa' && (
        <ConfirmDialog
          title={t('users.resetMfaTitle')}
          message={t('users.resetMfaText', { email: modal.user.email })}
          confirmLabel={t('users.resetMfa')}
          danger
          onClose={close}
          onConfirm={async () => {
            replace(await api.users.resetMfa(modal.user.id));
            notify(t('users.mfaReset', { email: modal.user.email }));
          }}
        />
      )}
      {modal?.kind === 'password' && (
        <SecretDialog
          title={t('users.passwordTitle')}
          intro={t('users.passwordIntro', { email: modal.user.email })}
          warning={t('users.passwordWarning')}
          items={[
            { label: t('users.email'), value: modal.user.email, testId: 'otp-email', plain: true },
            {
              label: t('users.oneTimePassword'),
              value: modal.oneTimePassword,
              testId: 'otp-value',
            },
          ]}
          onClose={close}
          testId="otp-dialog"
        />
      )}
    </>
  );
}

function RoleSelect({
  value,
  onChange,
  testId,
  ...rest
}: {
  value: UserRole;
  onChange: (role: UserRole) => void;
  testId: string;
  id?: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}) {
  const { t } = useI18n();
  return (
    <select
      {...rest}
      value={value}
      onChange={(e) => onChange(e.target.value as UserRole)}
      data-testid={testId}
    >
      {USER_ROLES.map((role) => (
        <option key={role} value={role}>
          {roleLabel(t, role)}
        </option>
      ))}
    </select>
  );
}

function InviteDialog({
  onClose,
  onInvited,
}: {
  onClose: () => void;
  onInvited: (user: User, oneTimePassword: string) => void;
}) {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<UserRole>('marketer');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api.users.invite({ email: email.trim(), name: name.trim(), role });
      onInvited(result.user, result.oneTimePassword);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('users.inviteTitle')}
      description={t('users.inviteText')}
      onClose={onClose}
      dismissible={!busy}
      testId="invite-dialog"
    >
      <form className="form" onSubmit={submit} data-testid="invite-form">
        <ErrorBanner error={error} />
        <Field label={t('users.email')} error={fieldError(error, '/email')}>
          <input
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            data-testid="invite-email"
          />
        </Field>
        <Field label={t('users.name')} error={fieldError(error, '/name')}>
          <input
            type="text"
            required
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="invite-name"
          />
        </Field>
        <Field
          label={t('users.role')}
          hint={t('users.roleHint')}
          error={fieldError(error, '/role')}
        >
          <RoleSelect value={role} onChange={setRole} testId="invite-role" />
        </Field>
        <div className="form-actions">
          <CancelSubmitButtons
            busy={busy}
            onCancel={onClose}
            submitLabel={t('users.inviteSubmit')}
            submitTestId="invite-submit"
          />
        </div>
      </form>
    </Dialog>
  );
}

function RoleDialog({
  user,
  onClose,
  onSaved,
}: {
  user: User;
  onClose: () => void;
  onSaved: (user: User) => void;
}) {
  const { t } = useI18n();
  const [role, setRole] = useState<UserRole>(user.role);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (role === user.role) {
      onClose();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await api.users.update(user.id, { role }));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('users.changeRoleTitle', { email: user.email })}
      onClose={onClose}
      dismissible={!busy}
      size="sm"
      testId="role-dialog"
    >
      <form className="form" onSubmit={submit}>
        <ErrorBanner error={error} />
        <Field label={t('users.role')} hint={t('users.roleHint')}>
          <RoleSelect value={role} onChange={setRole} testId="role-select" />
        </Field>
        <div className="form-actions">
          <CancelSubmitButtons
            busy={busy}
            onCancel={onClose}
            submitLabel={t('common.save')}
            submitTestId="role-submit"
          />
        </div>
      </form>
    </Dialog>
  );
}
