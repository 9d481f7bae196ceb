import { Type } from 'typebox';
import { Nullable } from '../../platform/http/schemas.ts';
import { API_KEY_SCOPES, OPERATOR_ROLES, TENANT_ROLES } from './rules.ts';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Instant = Type.String({ format: 'date-time' });

export const LoginBody = Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });

export const MfaVerifyBody = Type.Union(
  [
    Type.Object({ code: Type.String({ pattern: '^\\s*\\d{6}\\s*$' }) }, { additionalProperties: false }),
    Type.Object({ recoveryCode: Type.String({ minLength: 6, maxLength: 40 }) }, { additionalProperties: false }),
  ],
);

export const PasswordBody = Type.Object(
  { currentPassword: Type.Optional(Type.String({ maxLength: 256 })), newPassword: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

export const EnrolConfirmBody = Type.Object({ code: Type.String({ pattern: '^\\s*\\d{6}\\s*$' }) }, { additionalProperties: false });

export const SessionView = Type.Object({
  authenticated: Type.Boolean(),
  stage: Type.Optional(Type.Union([Type.Literal('mfa_verify'), Type.Literal('password_change'), Type.Literal('mfa_enrol'), Type.Literal('active')])),
  csrfToken: Type.Optional(Type.String()),
  user: Type.Optional(
    Type.Object({
      id: Type.String(),
      email: Type.String(),
      name: Type.String(),
      role: Type.String(),
      tenantId: Nullable(Type.String()),
      tenantName: Nullable(Type.String()),
      locale: Type.String(),
      mfaEnabled: Type.Boolean(),
      operator: Type.Boolean(),
    }),
  ),
});

export const EnrolmentView = Type.Object({ secret: Type.String(), otpauthUrl: Type.String(), qrCodeDataUrl: Type.String() });

export const TenantRoleSchema = Type.Union(TENANT_ROLES.map((role) => Type.Literal(role)));
export const OperatorRoleSchema = Type.Union(OPERATOR_ROLES.map((role) => Type.Literal(role)));

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  mfaEnabled: Type.Boolean(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled'), Type.Literal('locked'), Type.Literal('invited')]),
  lastLoginAt: Nullable(Instant),
  createdAt: Instant,
});

export const NewUserBody = Type.Object(
  { email: Email, name: Type.String({ minLength: 1, maxLength: 200 }), role: TenantRoleSchema },
  { additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), role: Type.Optional(TenantRoleSchema), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);

export const ScopeSchema = Type.Union(API_KEY_SCOPES.map((scope) => Type.Literal(scope)));

export const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Type.String()),
  allowedIps: Type.Array(Type.String()),
  expiresAt: Nullable(Instant),
  revokedAt: Nullable(Instant),
  lastUsedAt: Nullable(Instant),
  lastUsedIp: Nullable(Type.String()),
  createdAt: Instant,
  createdBy: Nullable(Type.String()),
});

export const NewApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: API_KEY_SCOPES.length, uniqueItems: true }),
    allowedIps: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
    expiresAt: Type.Optional(Instant),
  },
  { additionalProperties: false },
);

export const MeView = Type.Object({
  principal: Type.Object({
    type: Type.Union([Type.Literal('user'), Type.Literal('operator'), Type.Literal('api_key')]),
    id: Type.String(),
    label: Type.String(),
    role: Type.Optional(Type.String()),
    scopes: Type.Optional(Type.Array(Type.String())),
  }),
  tenant: Nullable(
    Type.Object({ id: Type.String(), name: Type.String(), status: Type.String(), statusReason: Nullable(Type.String()) }),
  ),
  permissions: Type.Array(Type.String()),
});
