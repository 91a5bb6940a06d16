#[automatically_derived]
impl ::contenttypes::__private::HasGenericRelations for Article {}
#[automatically_derived]
impl Article {
    ///The `tags` of this object: the rows of [`TaggedItem`] whose generic foreign key points here. Reads use the prefetched rows when there are any.
    pub fn tags(
        &self,
    ) -> ::contenttypes::__private::RelatedManager<
        '_,
        Article,
        TaggedItem,
        { <TaggedItem as ::contenttypes::__private::SoleGenericForeignKey>::KEY },
    > {
        ::contenttypes::__private::RelatedManager::new(self, &self.tags, "tags")
    }
    ///The generic relation `tags`: filter by related rows (`Article::TAGS.any(...)`), count them per object, or prefetch them.
    pub const TAGS: ::contenttypes::__private::GenericRelationDescriptor<
        Article,
        TaggedItem,
        { <TaggedItem as ::contenttypes::__private::SoleGenericForeignKey>::KEY },
    > = ::contenttypes::__private::GenericRelationDescriptor::new(
        "tags",
        |__parent: &Article| &__parent.tags,
    );
}
const _: fn() = || {
    fn __object_id_holds_primary_key<
        __O: ::contenttypes::__private::ObjectIdFor<__T, __K>,
        __T,
        __K,
    >() {}
    __object_id_holds_primary_key::<
        <TaggedItem as ::contenttypes::__private::GenericForeignKeyField<
            { <TaggedItem as ::contenttypes::__private::SoleGenericForeignKey>::KEY },
        >>::ObjectId,
        Article,
        <Article as ::contenttypes::__private::Model>::Pk,
    >();
};
const _: fn() = || {
    fn __is_a_target<
        __S: ::contenttypes::__private::targets::Admits<__T>,
        __T: ::contenttypes::__private::Model,
    >() {}
    __is_a_target::<
        <TaggedItem as ::contenttypes::__private::GenericForeignKeyField<
            { <TaggedItem as ::contenttypes::__private::SoleGenericForeignKey>::KEY },
        >>::Targets,
        Article,
    >();
};
#[automatically_derived]
impl TaggedItem {
    ///The `Article` a row points at through the generic relation `Article.tags` (`related_query_name = "article"`): filter rows by it.
    pub const ARTICLE: ::contenttypes::__private::ReverseGenericRelation<
        TaggedItem,
        Article,
        { <TaggedItem as ::contenttypes::__private::SoleGenericForeignKey>::KEY },
    > = ::contenttypes::__private::ReverseGenericRelation::new("tags");
}
