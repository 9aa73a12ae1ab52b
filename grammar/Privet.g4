// The Privet policy language. The only grammar; the C++ parser is generated from it at build time.
grammar Privet;

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

file : header? item* EOF ;

header : annotation* kind=(POLICY | MODULE) name=ident title=STRING? versionClause* ';' ;

versionClause : VERSION STRING | EFFECTIVE STRING ;

item
  : importDecl
  | annotation* decl
  ;

importDecl : IMPORT (qualName | path=STRING) (AS alias=ident)? ';' ;

annotation : '@' name=ident ( '(' annotationArg (',' annotationArg)* ')' )? ;

annotationArg : STRING | qualName | INT ;

decl
  : vocabDecl
  | enumDecl
  | attributeDecl
  | combineDecl
  | requireDecl
  | withinDecl
  | testDecl
  | controllerDecl
  | ruleDecl
  ;

// ---------------------------------------------------------------------------------------------
// Who the policy's owner is (GDPR Art. 30(1)(a), 13(1)(a)-(b)) and, where it acts as a processor,
// for whom (Art. 30(2)(a)-(b)).
// ---------------------------------------------------------------------------------------------

controllerDecl : CONTROLLER name=STRING '{' controllerEntry* '}' ';'? ;

controllerEntry
  : CONTACT STRING ';'                                                          # contactEntry
  | kind=(REPRESENTATIVE | DPO) name=STRING contactClause* ';'                  # partyEntry
  | PROCESSOR FOR name=STRING contactClause* PURPOSE qualNameList ';'           # processorEntry
  ;

contactClause : CONTACT STRING ;

// ---------------------------------------------------------------------------------------------
// Vocabularies: one keyword per kind; nodes nest to form a hierarchy, `: a, b` adds parents.
// ---------------------------------------------------------------------------------------------

vocabDecl : vocabKind vocabNode ;

vocabKind
  : ACTION | CATEGORY | SUBJECT | PURPOSE | BASIS | RECIPIENT | REGION | CONTEXT | ACTOR
  | OBLIGATION
  ;

vocabNode
  : name=ident ('(' param=typeRef ')')? title=STRING? vocabProp* vocabBody
  ;

vocabBody : '{' vocabMember* '}' ';'? | ';' ;

vocabMember : annotation* vocabNode ;

// Further parents, and (recipients and actors) their properties, in any order.
vocabProp
  : ':' qualNameList           # parentsProp
  | ROLE qualName              # roleProp
  | LOCATED IN qualName        # locatedProp
  | UNDER CONTRACT             # contractProp
  | LIMITS qualName            # limitsProp
  ;

qualNameList : qualName (',' qualName)* ;

// ---------------------------------------------------------------------------------------------
// Attributes the runtime supplies with a request
// ---------------------------------------------------------------------------------------------

enumDecl : ENUM name=ident title=STRING? '{' ident (',' ident)* ','? '}' ';'? ;

attributeDecl : ATTRIBUTE name=ident title=STRING? ':' type=typeRef ('=' init=value)? ';' ;

typeRef : qualName ;

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

combineDecl : COMBINE first=qualName WITH second=qualName treated=TREATED? AS result=qualName ';' ;

ruleDecl
  : (label=ident ':')? effect pattern condition* obligations? (exceptBlock | ';')
  ;

effect : ALLOW | DENY ;

exceptBlock
  : EXCEPT '{' exceptionRule* '}' ';'?
  | EXCEPT exceptionRule
  ;

exceptionRule : annotation* ruleDecl ;

// The request space a rule, invariant or expectation talks about. The first bare list names
// actions (or `any`), the second data categories; the rest are introduced by a preposition
// (`as` for the actor who performs the processing).
pattern : (ANY | actions=scopeList)? data=scopeList? scopeClause* ;

scopeClause
  : kw=(ABOUT | FOR | UNDER | TO | IN | FROM | AS) scopeList
  ;

scopeList : scopeItem (',' scopeItem)* ;

// `not (a, b)` is "neither a nor b"; `recipients where ...` is the set of recipients whose declared
// facts satisfy the expression (only after `to`).
scopeItem
  : NOT? qualName
  | NOT '(' qualName (',' qualName)* ')'
  | RECIPIENTS WHERE factExpr
  ;

factExpr : factAnd (OR factAnd)* ;

factAnd : factNot (AND factNot)* ;

factNot : NOT factNot | factAtom ;

factAtom
  : ROLE qualName              # roleFact
  | LOCATED IN qualName        # locatedFact
  | UNDER CONTRACT             # contractFact
  | '(' factExpr ')'           # parenFact
  ;

condition : kw=(WHEN | UNLESS) expr ;

obligations : WITH (OBLIGATION | OBLIGATIONS)? obligationRef (',' obligationRef)* ;

obligationRef : qualName ('(' value ')')? ;

// ---------------------------------------------------------------------------------------------
// Conditions over attributes
// ---------------------------------------------------------------------------------------------

expr : orExpr ;

orExpr : andExpr (OR andExpr)* ;

andExpr : notExpr (AND notExpr)* ;

notExpr : NOT notExpr | cmpExpr ;

cmpExpr
  : lhs=primary (op=('==' | '!=' | '<' | '<=' | '>' | '>=') rhs=primary)?
  | lhs=primary NOT? IN '{' value (',' value)* '}'
  ;

primary : '(' expr ')' | value ;

value : TRUE | FALSE | INT ident? | STRING | qualName ;

// ---------------------------------------------------------------------------------------------
// Invariants and tests
// ---------------------------------------------------------------------------------------------

requireDecl
  : (label=ident ':')? REQUIRE kind=(NEVER | ALWAYS)? pattern condition* obligations?
    (WITHIN within=qualName)? ';'
  ;

// `within P when C { invariants }`: the invariants inside are about the requests in P for which C
// holds (a law's territorial or personal scope). Any declaration parses here so that sema can say
// that only invariants may be scoped.
withinDecl : WITHIN pattern condition* '{' withinMember* '}' ';'? ;

withinMember : annotation* decl ;

testDecl : TEST name=STRING '{' expectation* '}' ';'? ;

expectation
  : annotation* EXPECT outcome=(ALLOW | DENY | ERROR) pattern givenClause? obligations? byClause? ';'
  ;

givenClause : GIVEN assignment (',' assignment)* ;

assignment : qualName '=' value ;

byClause : BY qualName ;

// ---------------------------------------------------------------------------------------------
// Names. Words that only introduce a declaration are soft keywords and may also be names.
// ---------------------------------------------------------------------------------------------

qualName : ident ('.' ident)* ;

ident
  : IDENT
  | POLICY | MODULE | VERSION | EFFECTIVE | IMPORT
  | ACTION | CATEGORY | SUBJECT | PURPOSE | BASIS | RECIPIENT | REGION | CONTEXT | ACTOR | OBLIGATION
  | OBLIGATIONS | ROLE | LOCATED | CONTRACT | RECIPIENTS | WHERE | ENUM | ATTRIBUTE | COMBINE
  | TREATED | LIMITS | REQUIRE | NEVER | ALWAYS | TEST | EXPECT | ERROR | GIVEN | WITHIN | BY
  | CONTROLLER | CONTACT | REPRESENTATIVE | DPO | PROCESSOR
  ;

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

// Reserved: these structure a rule and cannot be names.
ALLOW : 'allow' ;
DENY : 'deny' ;
ANY : 'any' ;
NOT : 'not' ;
AND : 'and' ;
OR : 'or' ;
ABOUT : 'about' ;
FOR : 'for' ;
UNDER : 'under' ;
TO : 'to' ;
IN : 'in' ;
FROM : 'from' ;
WHEN : 'when' ;
UNLESS : 'unless' ;
WITH : 'with' ;
EXCEPT : 'except' ;
TRUE : 'true' ;
FALSE : 'false' ;
// `as` introduces a pattern's actor, so it cannot be a name (it also ends an import and a
// combination).
AS : 'as' ;

// Soft keywords.
POLICY : 'policy' ;
MODULE : 'module' ;
VERSION : 'version' ;
EFFECTIVE : 'effective' ;
IMPORT : 'import' ;
ACTION : 'action' ;
CATEGORY : 'category' ;
SUBJECT : 'subject' ;
PURPOSE : 'purpose' ;
BASIS : 'basis' ;
RECIPIENT : 'recipient' ;
REGION : 'region' ;
CONTEXT : 'context' ;
ACTOR : 'actor' ;
OBLIGATION : 'obligation' ;
OBLIGATIONS : 'obligations' ;
ROLE : 'role' ;
LOCATED : 'located' ;
CONTRACT : 'contract' ;
RECIPIENTS : 'recipients' ;
WHERE : 'where' ;
ENUM : 'enum' ;
ATTRIBUTE : 'attribute' ;
COMBINE : 'combine' ;
TREATED : 'treated' ;
LIMITS : 'limits' ;
REQUIRE : 'require' ;
NEVER : 'never' ;
ALWAYS : 'always' ;
TEST : 'test' ;
EXPECT : 'expect' ;
ERROR : 'error' ;
GIVEN : 'given' ;
WITHIN : 'within' ;
// The controller block's words; BY stays the last soft keyword (the formatter relies on the
// range POLICY..BY being names).
CONTROLLER : 'controller' ;
CONTACT : 'contact' ;
REPRESENTATIVE : 'representative' ;
DPO : 'dpo' ;
PROCESSOR : 'processor' ;
BY : 'by' ;

IDENT : [a-zA-Z_] [a-zA-Z0-9_]* ;
INT : [0-9]+ ;
STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;

LINE_COMMENT : ('//' | '#') ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
WS : [ \t\r\n\f]+ -> channel(HIDDEN) ;

// Anything else becomes a token the parser rejects, so the error carries a location.
UNEXPECTED_CHAR : . ;
