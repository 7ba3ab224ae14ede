// Accounts and audit strings, Chinese first.
import { defineStrings } from '../i18n';

export const s = defineStrings(
  {
    users: '用户与审计', usersTitle: '用户管理', login: '账号', name: '姓名', roles: '角色', department: '部门',
    state: '状态', active: '在用', disabled: '已停用', demo: '演示账号', enable: '启用', disable: '停用',
    resetPassword: '重置密码', editRoles: '修改角色', save: '保存', addUser: '新建用户', password: '密码',
    newPassword: '新密码', confirmPassword: '确认新密码', mismatch: '两次输入的密码不一致', changePassword: '修改密码',
    changed: '已修改', added: '已新建', close: '关闭', audit: '审计日志', auditCheck: '校验审计链', auditOk: '审计链完整',
    auditBroken: '审计链被篡改', seals: '封存记录', head: '链尾哈希', at: '时间', who: '用户', action: '操作',
    subject: '对象', before: '修改前', after: '修改后', filterAction: '按操作筛选', refresh: '刷新',
    firstAdminTitle: '创建第一个系统管理员', firstAdminHint: '这个数据库还没有任何用户。请先创建系统管理员账号，之后由他为其他人开设账号。',
    create: '创建', demoNote: '演示账号（密码已公开，仅用于示例区，请勿用于真实数据）：',
    brokenRows: '封存后被修改或删除的记录', unsealedRow: '未封存的记录', brokenSeal: '封存链断裂',
    readOnly: '只读', readOnlyHint: '数据库以只读方式打开，不能修改。',
    adminOnly: '仅系统管理员可管理用户；审计日志仅系统管理员和领导可查看',
  },
  {
    users: 'Users and audit', usersTitle: 'Users', login: 'Login', name: 'Name', roles: 'Roles', department: 'Department',
    state: 'State', active: 'Active', disabled: 'Disabled', demo: 'Demo account', enable: 'Enable', disable: 'Disable',
    resetPassword: 'Reset password', editRoles: 'Change roles', save: 'Save', addUser: 'New user', password: 'Password',
    newPassword: 'New password', confirmPassword: 'Confirm new password', mismatch: 'The two passwords differ', changePassword: 'Change password',
    changed: 'Changed', added: 'Added', close: 'Close', audit: 'Audit log', auditCheck: 'Check the audit chain', auditOk: 'The audit chain is whole',
    auditBroken: 'The audit chain was tampered with', seals: 'Seals', head: 'Chain head', at: 'Time', who: 'User', action: 'Action',
    subject: 'Subject', before: 'Before', after: 'After', filterAction: 'Filter by action', refresh: 'Refresh',
    firstAdminTitle: 'Create the first administrator', firstAdminHint: 'This store has no users yet. Create the administrator account first; the administrator then opens accounts for everyone else.',
    create: 'Create', demoNote: 'Demo accounts (their passwords are published; for the sample district only, never for real data): ',
    brokenRows: 'Rows changed or deleted after sealing', unsealedRow: 'Row without a seal', brokenSeal: 'Broken seal',
    readOnly: 'Read-only', readOnlyHint: 'The store is open read-only: nothing can be changed.',
    adminOnly: 'Only administrators manage users; administrators and leaders read the audit log',
  },
);
