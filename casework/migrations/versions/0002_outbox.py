"""notification outbox: notices, broadcasts, the mobile citizens database table

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import casework.tables.base


revision = '0002'
down_revision = '0001'
branch_labels = ('outbox',)
depends_on = None


def upgrade() -> None:
    op.create_table('broadcasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('acceptance_receipt', 'refusal_to_accept', 'preliminary_refusal', 'hearing_invitation', 'decision_granted', 'decision_refused', 'termination', 'holiday_assistance', name='noticekind', native_enum=False, length=40), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', casework.tables.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts'))
    )
    op.create_table('mcdb_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('iin', sa.String(length=12), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('imported_at', casework.tables.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mcdb_entries')),
    sa.UniqueConstraint('iin', 'phone', name=op.f('uq_mcdb_entries_iin'))
    )
    op.create_index(op.f('ix_mcdb_entries_iin'), 'mcdb_entries', ['iin'], unique=False)
    op.create_index(op.f('ix_mcdb_entries_phone'), 'mcdb_entries', ['phone'], unique=False)
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('broadcast_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('acceptance_receipt', 'refusal_to_accept', 'preliminary_refusal', 'hearing_invitation', 'decision_granted', 'decision_refused', 'termination', 'holiday_assistance', name='noticekind', native_enum=False, length=40), nullable=False),
    sa.Column('locale', sa.String(length=2), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('channel', sa.Enum('sms', 'chat', 'print', name='noticechannel', native_enum=False, length=40), nullable=False),
    sa.Column('channel_reason', sa.Enum('mcdb_registered', 'filed_in_bot', 'no_registered_phone', 'sms_failed', 'chat_failed', name='channelreason', native_enum=False, length=40), nullable=False),
    sa.Column('failed_channel', sa.Enum('sms', 'chat', 'print', name='noticechannel', native_enum=False, length=40), nullable=True),
    sa.Column('address', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sms_text', sa.Text(), nullable=False),
    sa.Column('segments', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('queued', 'sending', 'sent', 'delivered', 'to_print', 'handed_over', name='noticestatus', native_enum=False, length=40), nullable=False),
    sa.Column('due_at', casework.tables.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', casework.tables.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('provider', sa.String(length=20), nullable=True),
    sa.Column('provider_id', sa.String(length=64), nullable=True),
    sa.Column('provider_status', sa.String(length=30), nullable=True),
    sa.Column('error_code', sa.String(length=20), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('created_at', casework.tables.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', casework.tables.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', casework.tables.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', casework.tables.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handed_over_at', casework.tables.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handed_over_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], name=op.f('fk_notices_applicant_id_applicants')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_notices_application_id_applications')),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_notices_broadcast_id_broadcasts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices'))
    )
    op.create_index(op.f('ix_notices_applicant_id'), 'notices', ['applicant_id'], unique=False)
    op.create_index(op.f('ix_notices_application_id'), 'notices', ['application_id'], unique=False)
    op.create_index(op.f('ix_notices_broadcast_id'), 'notices', ['broadcast_id'], unique=False)
    op.create_index(op.f('ix_notices_provider_id'), 'notices', ['provider_id'], unique=False)
    op.create_index('ix_notices_status_due_at', 'notices', ['status', 'due_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_notices_status_due_at', table_name='notices')
    op.drop_index(op.f('ix_notices_provider_id'), table_name='notices')
    op.drop_index(op.f('ix_notices_broadcast_id'), table_name='notices')
    op.drop_index(op.f('ix_notices_application_id'), table_name='notices')
    op.drop_index(op.f('ix_notices_applicant_id'), table_name='notices')
    op.drop_table('notices')
    op.drop_index(op.f('ix_mcdb_entries_phone'), table_name='mcdb_entries')
    op.drop_index(op.f('ix_mcdb_entries_iin'), table_name='mcdb_entries')
    op.drop_table('mcdb_entries')
    op.drop_table('broadcasts')
