"""Knowledge base: sections, articles, revisions, lifecycle events, old slugs, feedback, reports.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:39:58.612905

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kb_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_labels')),
    sa.UniqueConstraint('name', name=op.f('uq_kb_labels_name'))
    )
    op.create_table('kb_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_sections')),
    sa.UniqueConstraint('slug', name=op.f('uq_kb_sections_slug'))
    )
    op.create_table('kb_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('draft', 'in_review', 'published', 'archived', name='kb_article_status'), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('review_by', sa.Date(), nullable=True),
    sa.Column('published_revision_id', sa.Integer(), nullable=True),
    sa.Column('draft_revision_id', sa.Integer(), nullable=True),
    sa.Column('draft_in_review', sa.Boolean(), nullable=False),
    sa.Column('view_count', sa.Integer(), nullable=False),
    sa.Column('helpful_count', sa.Integer(), nullable=False),
    sa.Column('not_helpful_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_kb_articles_owner_id_users')),
    sa.ForeignKeyConstraint(['section_id'], ['kb_sections.id'], name=op.f('fk_kb_articles_section_id_kb_sections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_kb_articles_slug'))
    )
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_articles_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_kb_articles_review_by', ['review_by'], unique=False)
        batch_op.create_index('ix_kb_articles_status_section', ['status', 'section_id'], unique=False)

    op.create_table('kb_article_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('revision_number', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_kb_article_events_actor_id_users')),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_article_events_article_id_kb_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_article_events'))
    )
    with op.batch_alter_table('kb_article_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_article_events_article_id'), ['article_id'], unique=False)

    op.create_table('kb_article_labels',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('label_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_article_labels_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['label_id'], ['kb_labels.id'], name=op.f('fk_kb_article_labels_label_id_kb_labels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'label_id', name=op.f('pk_kb_article_labels'))
    )
    with op.batch_alter_table('kb_article_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_article_labels_label_id'), ['label_id'], unique=False)

    op.create_table('kb_article_slugs',
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_article_slugs_article_id_kb_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_kb_article_slugs'))
    )
    with op.batch_alter_table('kb_article_slugs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_article_slugs_article_id'), ['article_id'], unique=False)

    op.create_table('kb_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('session_key', sa.String(length=64), nullable=True),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_feedback_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kb_feedback_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_feedback')),
    sa.UniqueConstraint('article_id', 'session_key', name=op.f('uq_kb_feedback_article_id_session_key')),
    sa.UniqueConstraint('article_id', 'user_id', name=op.f('uq_kb_feedback_article_id_user_id'))
    )
    op.create_table('kb_inaccuracy_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_inaccuracy_reports_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_kb_inaccuracy_reports_reporter_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_inaccuracy_reports'))
    )
    with op.batch_alter_table('kb_inaccuracy_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_inaccuracy_reports_article_id'), ['article_id'], unique=False)

    op.create_table('kb_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('renderer_version', sa.Integer(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_revisions_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_kb_revisions_editor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_revisions')),
    sa.UniqueConstraint('article_id', 'number', name=op.f('uq_kb_revisions_article_id_number'))
    )

    # Articles and revisions reference each other: the articles side is added once both
    # tables exist (op.create_table would silently drop a use_alter FK).
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        for name in ('draft', 'published'):
            batch_op.create_foreign_key(
                op.f(f'fk_kb_articles_{name}_revision_id_kb_revisions'), 'kb_revisions',
                [f'{name}_revision_id'], ['id'], ondelete='SET NULL',
            )


def downgrade():
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        for name in ('draft', 'published'):
            batch_op.drop_constraint(
                op.f(f'fk_kb_articles_{name}_revision_id_kb_revisions'), type_='foreignkey'
            )

    op.drop_table('kb_revisions')
    with op.batch_alter_table('kb_inaccuracy_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_inaccuracy_reports_article_id'))

    op.drop_table('kb_inaccuracy_reports')
    op.drop_table('kb_feedback')
    with op.batch_alter_table('kb_article_slugs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_article_slugs_article_id'))

    op.drop_table('kb_article_slugs')
    with op.batch_alter_table('kb_article_labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_article_labels_label_id'))

    op.drop_table('kb_article_labels')
    with op.batch_alter_table('kb_article_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_article_events_article_id'))

    op.drop_table('kb_article_events')
    with op.batch_alter_table('kb_articles', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_articles_status_section')
        batch_op.drop_index('ix_kb_articles_review_by')
        batch_op.drop_index(batch_op.f('ix_kb_articles_owner_id'))

    op.drop_table('kb_articles')
    op.drop_table('kb_sections')
    op.drop_table('kb_labels')
    # PostgreSQL keeps enum types after their tables are dropped.
    sa.Enum(name='kb_article_status').drop(op.get_bind(), checkfirst=True)
