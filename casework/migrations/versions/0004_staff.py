"""staff accounts and holiday-assistance recipient lists

Revision ID: 0004
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import casework.tables.base


revision = '0004'
down_revision = '0001'
branch_labels = ('staff',)
depends_on = None


def upgrade() -> None:
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('intake_office', 'intake_akim', 'intake_state_corporation', 'commission_secretary', 'decision_maker', 'administrator', name='role', native_enum=False, length=40), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', casework.tables.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('name', name=op.f('uq_staff_name')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_token_hash'))
    )
    op.create_table('holiday_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('holiday', sa.String(length=5), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('imported_by', sa.String(length=200), nullable=False),
    sa.Column('imported_at', casework.tables.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('granted_by', sa.String(length=200), nullable=True),
    sa.Column('granted_at', casework.tables.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday_lists'))
    )
    op.create_table('holiday_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('iin', sa.String(length=12), nullable=False),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_holiday_recipients_application_id_applications')),
    sa.ForeignKeyConstraint(['list_id'], ['holiday_lists.id'], name=op.f('fk_holiday_recipients_list_id_holiday_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holiday_recipients')),
    sa.UniqueConstraint('list_id', 'iin', 'category', name=op.f('uq_holiday_recipients_list_id'))
    )
    op.create_index(op.f('ix_holiday_recipients_iin'), 'holiday_recipients', ['iin'], unique=False)
    op.create_index(op.f('ix_holiday_recipients_list_id'), 'holiday_recipients', ['list_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_holiday_recipients_list_id'), table_name='holiday_recipients')
    op.drop_index(op.f('ix_holiday_recipients_iin'), table_name='holiday_recipients')
    op.drop_table('holiday_recipients')
    op.drop_table('holiday_lists')
    op.drop_table('staff')
