from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'report.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_L = resolve('L')
    l_0_r = resolve('r')
    l_0_when = resolve('when')
    l_0_lang = resolve('lang')
    l_0_banners = resolve('banners')
    l_0_decision = resolve('decision')
    l_0_D = resolve('D')
    l_0_verification = resolve('verification')
    l_0_mode_label = resolve('mode_label')
    l_0_out_of_time = resolve('out_of_time')
    l_0_ins = resolve('ins')
    l_0_vulns = resolve('vulns')
    l_0_qrows = resolve('qrows')
    l_0_d = l_0_p = missing
    try:
        t_1 = environment.filters['cell']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'cell' found.")
    try:
        t_2 = environment.filters['code']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'code' found.")
    try:
        t_3 = environment.filters['code_cell']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'code_cell' found.")
    try:
        t_4 = environment.filters['fence']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'fence' found.")
    try:
        t_5 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_6 = environment.filters['md']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'md' found.")
    try:
        t_7 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_7(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '# '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'title')))
    yield ': '
    yield str(environment.finalize(t_6(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'name'))))
    yield '\n\n'
    yield str(environment.finalize(t_6(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'name'))))
    if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'os'):
        pass
        yield ' · '
        yield str(environment.finalize(t_6(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'os'))))
    yield ' · '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'profile')))
    yield ' '
    yield str(environment.finalize(t_6(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile'))))
    yield ' · '
    yield str(environment.finalize(t_6(context.call((undefined(name='when') if l_0_when is missing else l_0_when), environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'started_at'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
    yield '\n'
    for l_1_b in (undefined(name='banners') if l_0_banners is missing else l_0_banners):
        _loop_vars = {}
        pass
        yield '\n> **'
        yield str(environment.finalize(t_6(l_1_b)))
        yield '**\n'
    l_1_b = missing
    l_0_d = (undefined(name='decision') if l_0_decision is missing else l_0_decision)
    context.vars['d'] = l_0_d
    context.exported_vars.add('d')
    yield '\n## '
    yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'decision')))
    yield '\n\n**'
    yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'recommendation')))
    yield ': '
    yield str(environment.finalize(t_6(context.call(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'recommendation_text'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
    yield '**; '
    yield str(environment.finalize(t_6(context.call(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'rule_text'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
    yield '\n\n- **'
    yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'score_grade')))
    yield ':** '
    if (not t_7(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'score'))):
        pass
        yield str(environment.finalize(t_6(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'score'))))
        yield ' / 100 · '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'grade')))
        yield ' '
        yield str(environment.finalize(t_6(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'grade'))))
    else:
        pass
        yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'not_scored')))
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'cap_reasons'):
        pass
        yield '; '
        yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'cap')))
        yield ': '
        l_1_loop = missing
        for l_1_c, l_1_loop in LoopContext(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'cap_reasons'), undefined):
            _loop_vars = {}
            pass
            yield str(environment.finalize(t_6(environment.getitem(l_1_c, (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            if (not environment.getattr(l_1_loop, 'last')):
                pass
                yield ', '
        l_1_loop = l_1_c = missing
        if (environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'grade_by_score') and (environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'grade_by_score') != environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'grade'))):
            pass
            yield ' ('
            yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'grade_by_score')))
            yield ' '
            yield str(environment.finalize(t_6(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'grade_by_score'))))
            yield ')'
    yield '\n- **'
    yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'questionnaire')))
    yield ':** '
    if (not t_7(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'questions'))):
        pass
        yield str(environment.finalize(t_6(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'answered_of', answered=environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'answered'), questions=environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'questions')))))
    else:
        pass
        yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'no_questionnaire')))
    yield '\n- **'
    yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'hf_present')))
    yield ':** '
    l_1_loop = missing
    t_8 = 1
    for l_1_h, l_1_loop in LoopContext(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'hard_fail_present'), undefined):
        _loop_vars = {}
        pass
        yield str(environment.finalize(t_6(environment.getitem(l_1_h, (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
        if (not environment.getattr(l_1_loop, 'last')):
            pass
            yield '; '
        t_8 = 0
    l_1_loop = l_1_h = missing
    if t_8:
        pass
        yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'none')))
    yield '\n'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'hard_fail_unconfirmed'):
        pass
        yield '- **'
        yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'hf_unconfirmed')))
        yield ':** '
        l_1_loop = missing
        for l_1_h, l_1_loop in LoopContext(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'hard_fail_unconfirmed'), undefined):
            _loop_vars = {}
            pass
            yield str(environment.finalize(t_6(environment.getitem(l_1_h, (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            if (not environment.getattr(l_1_loop, 'last')):
                pass
                yield '; '
        l_1_loop = l_1_h = missing
        yield '\n'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'hard_fail_not_covered'):
        pass
        yield '- **'
        yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'hf_not_covered')))
        yield ':** '
        l_1_loop = missing
        for l_1_h, l_1_loop in LoopContext(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'hard_fail_not_covered'), undefined):
            _loop_vars = {}
            pass
            yield str(environment.finalize(t_6(environment.getitem(l_1_h, (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            if (not environment.getattr(l_1_loop, 'last')):
                pass
                yield '; '
        l_1_loop = l_1_h = missing
        yield '\n'
    yield '- **'
    yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'open_high_risk')))
    yield ':** '
    l_1_loop = missing
    t_9 = 1
    for l_1_h, l_1_loop in LoopContext(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'open_high_risk'), undefined):
        _loop_vars = {}
        pass
        yield str(environment.finalize(t_6(environment.getitem(l_1_h, (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
        if (not environment.getattr(l_1_loop, 'last')):
            pass
            yield '; '
        t_9 = 0
    l_1_loop = l_1_h = missing
    if t_9:
        pass
        yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'none')))
    yield '\n'
    if environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'conditions'):
        pass
        yield '- **'
        yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'conditions')))
        yield ':** '
        l_1_loop = missing
        for l_1_c, l_1_loop in LoopContext(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'conditions'), undefined):
            _loop_vars = {}
            pass
            yield str(environment.finalize(t_6(environment.getitem(l_1_c, (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            if (not environment.getattr(l_1_loop, 'last')):
                pass
                yield '; '
        l_1_loop = l_1_c = missing
        yield '\n'
    yield '- **'
    yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'assessed')))
    yield ':** '
    l_1_loop = missing
    for l_1_a, l_1_loop in LoopContext(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'assessed'), undefined):
        _loop_vars = {}
        pass
        yield str(environment.finalize(t_6(environment.getitem(l_1_a, (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
        if (not environment.getattr(l_1_loop, 'last')):
            pass
            yield '; '
    l_1_loop = l_1_a = missing
    yield '\n- **'
    yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'not_assessed')))
    yield ':** '
    l_1_loop = missing
    t_10 = 1
    for l_1_a, l_1_loop in LoopContext(environment.getattr((undefined(name='d') if l_0_d is missing else l_0_d), 'not_assessed'), undefined):
        _loop_vars = {}
        pass
        yield str(environment.finalize(t_6(environment.getitem(l_1_a, (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
        if (not environment.getattr(l_1_loop, 'last')):
            pass
            yield '; '
        t_10 = 0
    l_1_loop = l_1_a = missing
    if t_10:
        pass
        yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'none')))
    yield '\n\n| | |\n|---|---|\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'target')))
    yield ' | '
    yield str(environment.finalize(t_1(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'name'))))
    yield ' |\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'os')))
    yield ' | '
    yield str(environment.finalize(t_1((environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'os') or '-'))))
    yield ' |\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'profile')))
    yield ' | '
    yield str(environment.finalize(t_1(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile'))))
    yield ' |\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'assessed_at')))
    yield ' | '
    yield str(environment.finalize(t_1(context.call((undefined(name='when') if l_0_when is missing else l_0_when), environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'started_at'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
    yield ' |\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'run_as')))
    yield ' | '
    yield str(environment.finalize(t_1(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'user'))))
    yield ' ('
    yield str(environment.finalize((environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'privileged') if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'run'), 'privileged') else environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'unprivileged'))))
    yield ') |\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'report_id')))
    yield ' | '
    yield str(environment.finalize(t_3(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'report_id'))))
    yield ' |\n\n'
    if (not t_7((undefined(name='verification') if l_0_verification is missing else l_0_verification))):
        pass
        yield '## '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'verification')))
        yield '\n\n'
        yield str(environment.finalize(t_4(t_5(context.eval_ctx, (undefined(name='verification') if l_0_verification is missing else l_0_verification), '\n'))))
        yield '\n'
    else:
        pass
        yield '> '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'signed_note')))
        yield '\n'
    yield '\n## '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'provenance')))
    yield '\n\n'
    l_0_p = environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'provenance')
    context.vars['p'] = l_0_p
    context.exported_vars.add('p')
    yield '| | |\n|---|---|\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mode')))
    yield ' | '
    yield str(environment.finalize(t_1((undefined(name='mode_label') if l_0_mode_label is missing else l_0_mode_label))))
    yield ' |\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'catalogue')))
    yield ' | '
    yield str(environment.finalize(t_3(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'catalogue'), 'version'))))
    yield ' ('
    yield str(environment.finalize(t_1(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'catalogue'), 'digest')[:16])))
    yield '…) |\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'tool_version')))
    yield ' | '
    yield str(environment.finalize(t_1(str_join((environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'name'), ' ', environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'version'), )))))
    yield ' |\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'identifiers')))
    yield ' | '
    yield str(environment.finalize(t_1((t_5(context.eval_ctx, environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'target'), 'identifiers'), ', ') or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none')))))
    yield ' |\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'scope')))
    yield ' | '
    yield str(environment.finalize(t_1((t_5(context.eval_ctx, environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'scope'), 'targets'), ', ') or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none')))))
    yield '; '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'ports')))
    yield ': '
    yield str(environment.finalize(t_1((environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'scope'), 'ports') or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'default_ports')))))
    yield ' |\n'
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'):
        pass
        yield '| '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'questionnaire_ref')))
        yield ' | '
        yield str(environment.finalize(t_1(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'id'))))
        yield '@'
        yield str(environment.finalize(t_1(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'version'))))
        yield ': '
        yield str(environment.finalize((environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'builtin') if environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'builtin') else environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'not_builtin'))))
        yield ', sha256 '
        yield str(environment.finalize(t_3(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'questionnaire'), 'sha256'))))
        yield ' |\n'
    yield '| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'challenge')))
    yield ' | '
    yield str(environment.finalize(t_1((environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'challenge') or environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none')))))
    yield ' |\n'
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'overrides'):
        pass
        yield '\n### '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'overrides')))
        yield '\n\n| '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'check')))
        yield ' | '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'param')))
        yield ' | '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'value')))
        yield ' | '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'default')))
        yield ' | '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'effect')))
        yield ' |\n|---|---|---|---|---|\n'
        for l_1_o in environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'overrides'):
            _loop_vars = {}
            pass
            yield '| '
            yield str(environment.finalize(t_3(environment.getattr(l_1_o, 'check_id'))))
            yield ' | '
            yield str(environment.finalize(t_3(environment.getattr(l_1_o, 'param'))))
            yield ' | '
            yield str(environment.finalize(t_1(environment.getattr(l_1_o, 'value'))))
            yield ' | '
            yield str(environment.finalize(t_1(environment.getattr(l_1_o, 'default'))))
            yield ' | '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), str_join(('effect_', environment.getattr(l_1_o, 'effect'), )))))
            yield ' |\n'
        l_1_o = missing
    yield '\n## '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'summary')))
    yield '\n\n| '
    for l_1_k in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'):
        _loop_vars = {}
        pass
        yield str(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), l_1_k, _loop_vars=_loop_vars)))
        yield ' | '
    l_1_k = missing
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'total')))
    yield ' |\n|'
    for l_1_k in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'):
        _loop_vars = {}
        pass
        yield '---|'
    l_1_k = missing
    yield '---|\n| '
    for l_1_v in context.call(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'), 'values')):
        _loop_vars = {}
        pass
        yield str(environment.finalize(t_1(l_1_v)))
        yield ' | '
    l_1_v = missing
    yield str(environment.finalize(t_1(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'total'))))
    yield ' |\n\n**'
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'failed_by_severity')))
    yield ':** '
    l_1_loop = missing
    for (l_1_k, l_1_v), l_1_loop in LoopContext(context.call(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'failed_by_severity'), 'items')), undefined):
        _loop_vars = {}
        pass
        yield str(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), l_1_k, _loop_vars=_loop_vars)))
        yield ' '
        yield str(environment.finalize(t_6(l_1_v)))
        if (not environment.getattr(l_1_loop, 'last')):
            pass
            yield ', '
    l_1_loop = l_1_k = l_1_v = missing
    yield '\n\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'layer')))
    yield ' | '
    for l_1_k in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'):
        _loop_vars = {}
        pass
        yield str(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), l_1_k, _loop_vars=_loop_vars)))
        yield ' | '
    l_1_k = missing
    yield '\n|---|'
    for l_1_k in environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_status'):
        _loop_vars = {}
        pass
        yield '---|'
    l_1_k = missing
    yield '\n'
    for (l_1_layer, l_1_counts) in context.call(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'by_layer'), 'items')):
        _loop_vars = {}
        pass
        yield '| '
        yield str(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'layer'), l_1_layer, _loop_vars=_loop_vars)))
        yield ' | '
        for l_2_v in context.call(environment.getattr(l_1_counts, 'values'), _loop_vars=_loop_vars):
            _loop_vars = {}
            pass
            yield str(environment.finalize(t_1(l_2_v)))
            yield ' | '
        l_2_v = missing
        yield '\n'
    l_1_layer = l_1_counts = missing
    yield '\n**'
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'high_risk')))
    yield ':** '
    if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'open_high_risk'):
        pass
        l_1_loop = missing
        for l_1_h, l_1_loop in LoopContext(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'open_high_risk'), undefined):
            _loop_vars = {}
            pass
            yield str(environment.finalize(t_6(environment.getattr(l_1_h, 'case'))))
            yield ' ('
            yield str(environment.finalize(t_2(environment.getattr(l_1_h, 'check_id'))))
            if environment.getattr(l_1_h, 'target'):
                pass
                yield ' '
                yield str(environment.finalize(t_6(environment.getattr(l_1_h, 'target'))))
            if (environment.getattr(l_1_h, 'state') == 'mitigable'):
                pass
                yield '; '
                yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'state_mitigable')))
                yield ', '
                yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mitigated_by')))
                yield ' '
                yield str(environment.finalize(t_6(t_5(context.eval_ctx, environment.getattr(l_1_h, 'mitigated_by'), ', '))))
            yield ')'
            if (not environment.getattr(l_1_loop, 'last')):
                pass
                yield ', '
        l_1_loop = l_1_h = missing
    else:
        pass
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none')))
    if environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'high_risk_not_assessed'):
        pass
        yield '\n'
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'high_risk_not_assessed')))
        yield ': '
        yield str(environment.finalize(t_6(t_5(context.eval_ctx, environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'summary'), 'high_risk_not_assessed'), ', '))))
        yield '\n'
    if (undefined(name='out_of_time') if l_0_out_of_time is missing else l_0_out_of_time):
        pass
        yield '\n**'
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'out_of_time')))
        yield ':**\n\n'
        for l_1_t in (undefined(name='out_of_time') if l_0_out_of_time is missing else l_0_out_of_time):
            _loop_vars = {}
            pass
            yield '- '
            yield str(environment.finalize(t_6(environment.getattr(l_1_t, 'endpoint'))))
            yield ' ('
            yield str(environment.finalize(t_2(environment.getattr(l_1_t, 'collector'))))
            yield '): '
            yield str(environment.finalize(t_6(environment.getattr(l_1_t, 'detail'))))
            yield '\n'
        l_1_t = missing
    yield '\n\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'):
        pass
        l_0_ins = environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'insurer')
        context.vars['ins'] = l_0_ins
        context.exported_vars.add('ins')
        yield '## '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'underwriting')))
        yield '\n\n**'
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'insurer_score')))
        yield ': '
        yield str(environment.finalize(t_6((environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'score') if (not t_7(environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'score'))) else '—'))))
        yield ' / 100, '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'grade')))
        yield ' '
        yield str(environment.finalize(t_6((environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'grade') or '—'))))
        yield '** — '
        if environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'hard_fail'), 'binding_blocked'):
            pass
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'binding_blocked')))
        elif environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'hard_fail'), 'binding_unconfirmed'):
            pass
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'binding_unconfirmed')))
        else:
            pass
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'binding_clear')))
        yield '\n\n### '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'hard_fail')))
        yield '\n\n'
        for l_1_e in environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'hard_fail'), 'entries'):
            _loop_vars = {}
            pass
            yield '- '
            yield str(environment.finalize(t_6(environment.getitem(environment.getattr(l_1_e, 'label'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            yield ': '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), str_join(('state_', environment.getattr(l_1_e, 'state'), )))))
            yield '\n'
        l_1_e = missing
        for l_1_n in environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'underwriting'), 'hard_fail'), 'not_covered'):
            _loop_vars = {}
            pass
            yield '- '
            yield str(environment.finalize(t_6(environment.getitem(environment.getattr(l_1_n, 'label'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            yield ': '
            yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'hf_not_covered', _loop_vars=_loop_vars)))
            yield '\n'
        l_1_n = missing
        yield '\n### '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns')))
        yield '\n\n'
        if (undefined(name='vulns') if l_0_vulns is missing else l_0_vulns):
            pass
            yield '| '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_where')))
            yield ' | '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_open')))
            yield ' | '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_by_severity')))
            yield ' | '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_kev')))
            yield ' | '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_kev_exposed')))
            yield ' | '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_oldest')))
            yield ' | '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_not_matched')))
            yield ' |\n|---|---|---|---|---|---|---|\n'
            for l_1_v in (undefined(name='vulns') if l_0_vulns is missing else l_0_vulns):
                _loop_vars = {}
                pass
                yield '| '
                yield str(environment.finalize(t_1(environment.getattr(l_1_v, 'where'))))
                yield ' ('
                yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), str_join(('vulns_', environment.getattr(l_1_v, 'kind'), )))))
                yield ') | '
                yield str(environment.finalize(t_1(environment.getattr(l_1_v, 'open'))))
                yield ' | '
                yield str(environment.finalize(t_1(str_join((environment.getattr(environment.getattr(l_1_v, 'by_severity'), 'critical'), '/', environment.getattr(environment.getattr(l_1_v, 'by_severity'), 'high'), '/', environment.getattr(environment.getattr(l_1_v, 'by_severity'), 'medium'), '/', environment.getattr(environment.getattr(l_1_v, 'by_severity'), 'low'), '/', environment.getattr(environment.getattr(l_1_v, 'by_severity'), 'unknown'), )))))
                yield ' | '
                yield str(environment.finalize(t_1(environment.getattr(l_1_v, 'kev'))))
                yield ' | '
                yield str(environment.finalize(t_1((environment.getattr(l_1_v, 'kev_exposed') if (not t_7(environment.getattr(l_1_v, 'kev_exposed'))) else '—'))))
                yield ' | '
                yield str(environment.finalize(t_1((environment.getattr(l_1_v, 'oldest_fix_age_days') if (not t_7(environment.getattr(l_1_v, 'oldest_fix_age_days'))) else '—'))))
                yield ' | '
                yield str(environment.finalize(t_1((environment.getattr(l_1_v, 'not_matched') if (not t_7(environment.getattr(l_1_v, 'not_matched'))) else '—'))))
                yield ' |\n'
            l_1_v = missing
        else:
            pass
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'vulns_none')))
            yield '\n'
        yield '\n### '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'coverage_lines')))
        yield '\n\n| | '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'insurer_score')))
        yield ' | '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'grade')))
        yield ' |\n|---|---|---|\n'
        for l_1_c in environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'coverage_lines'):
            _loop_vars = {}
            pass
            yield '| '
            yield str(environment.finalize(t_1(environment.getitem(environment.getattr(l_1_c, 'label'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            yield ' | '
            yield str(environment.finalize(t_1((environment.getattr(l_1_c, 'score') if (not t_7(environment.getattr(l_1_c, 'score'))) else environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'not_assessed')))))
            yield ' | '
            yield str(environment.finalize(t_1((environment.getattr(l_1_c, 'grade') or '—'))))
            yield ' |\n'
        l_1_c = missing
        yield '\n### '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'scenarios')))
        yield '\n\n| | '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'insurer_score')))
        yield ' | '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'grade')))
        yield ' |\n|---|---|---|\n'
        for l_1_c in environment.getattr((undefined(name='ins') if l_0_ins is missing else l_0_ins), 'scenarios'):
            _loop_vars = {}
            pass
            yield '| '
            yield str(environment.finalize(t_1(environment.getitem(environment.getattr(l_1_c, 'label'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            yield ' | '
            yield str(environment.finalize(t_1((environment.getattr(l_1_c, 'score') if (not t_7(environment.getattr(l_1_c, 'score'))) else environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'not_assessed')))))
            yield ' | '
            yield str(environment.finalize(t_1((environment.getattr(l_1_c, 'grade') or '—'))))
            yield ' |\n'
        l_1_c = missing
        yield '\n'
    template = environment.get_template('_mlps.md.j2', 'report.md.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {'d': l_0_d, 'ins': l_0_ins, 'p': l_0_p}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile_view'):
        pass
        yield '## '
        yield str(environment.finalize(t_6(environment.getitem(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile_view'), 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
        yield '\n\n'
        l_1_loop = missing
        for l_1_i, l_1_loop in LoopContext(environment.getitem(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'profile_view'), 'items'), undefined):
            l_1_observed_rows = resolve('observed_rows')
            _loop_vars = {}
            pass
            yield '- '
            yield str(environment.finalize(t_2(environment.getattr(l_1_i, 'check_id'))))
            yield ' '
            yield str(environment.finalize(t_6(environment.getitem(environment.getattr(l_1_i, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
            if environment.getattr(l_1_i, 'target'):
                pass
                yield ' ('
                yield str(environment.finalize(t_6(environment.getattr(l_1_i, 'target'))))
                yield ')'
            yield ': '
            yield str(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), environment.getattr(l_1_i, 'status'), _loop_vars=_loop_vars)))
            yield ', '
            yield str(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), environment.getattr(l_1_i, 'severity'), _loop_vars=_loop_vars)))
            if environment.getattr(l_1_i, 'observed'):
                pass
                yield '; '
                yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'observed')))
                yield ': '
                l_2_loop = missing
                for (l_2_k, l_2_v), l_2_loop in LoopContext(context.call((undefined(name='observed_rows') if l_1_observed_rows is missing else l_1_observed_rows), environment.getattr(l_1_i, 'observed'), (undefined(name='lang') if l_0_lang is missing else l_0_lang), _loop_vars=_loop_vars), undefined):
                    _loop_vars = {}
                    pass
                    yield str(environment.finalize(t_2(l_2_k)))
                    yield ' = '
                    yield str(environment.finalize(t_2(l_2_v)))
                    if (not environment.getattr(l_2_loop, 'last')):
                        pass
                        yield ', '
                l_2_loop = l_2_k = l_2_v = missing
            yield '\n'
        l_1_loop = l_1_i = l_1_observed_rows = missing
        yield '\n'
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'scanner_view'):
        pass
        yield '## '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'scanner_view')))
        yield '\n\n'
        l_1_loop = missing
        for l_1_t, l_1_loop in LoopContext(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'scanner_view'), 'targets'), undefined):
            _loop_vars = {}
            pass
            yield '- '
            yield str(environment.finalize(t_2(environment.getattr(l_1_t, 'target'))))
            yield ': '
            if environment.getattr(l_1_t, 'issues'):
                pass
                l_2_loop = missing
                for l_2_i, l_2_loop in LoopContext(environment.getattr(l_1_t, 'issues'), undefined):
                    _loop_vars = {}
                    pass
                    yield str(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), environment.getattr(l_2_i, 'severity'), _loop_vars=_loop_vars)))
                    yield ' '
                    yield str(environment.finalize(t_2(environment.getattr(l_2_i, 'check_id'))))
                    yield ' '
                    yield str(environment.finalize(t_6(environment.getitem(environment.getattr(l_2_i, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
                    if (not environment.getattr(l_2_loop, 'last')):
                        pass
                        yield '; '
                l_2_loop = l_2_i = missing
            else:
                pass
                yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'no_issues')))
            yield '\n'
        l_1_loop = l_1_t = missing
    yield '## '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'findings')))
    yield '\n\n| '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'check')))
    yield ' | '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'status')))
    yield ' | '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'severity')))
    yield ' | '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'mlps')))
    yield ' | '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'reason')))
    yield ' |\n|---|---|---|---|---|\n'
    l_1_loop = missing
    for l_1_f, l_1_loop in LoopContext(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'findings'), undefined):
        l_1_reason_segments = resolve('reason_segments')
        l_1_observed_rows = resolve('observed_rows')
        _loop_vars = {}
        pass
        yield '| '
        yield str(environment.finalize(t_3(environment.getattr(l_1_f, 'check_id'))))
        yield ' '
        yield str(environment.finalize(t_1(environment.getitem(environment.getattr(l_1_f, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
        if environment.getattr(l_1_f, 'target'):
            pass
            yield ' ('
            yield str(environment.finalize(t_1(environment.getattr(l_1_f, 'target'))))
            yield ')'
        yield ' | '
        yield str(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'status'), environment.getattr(l_1_f, 'status'), _loop_vars=_loop_vars)))
        yield ' | '
        yield str(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), environment.getattr(l_1_f, 'severity'), _loop_vars=_loop_vars)))
        if environment.getattr(l_1_f, 'high_risk_case'):
            pass
            yield ' ('
            yield str(environment.finalize(t_1(environment.getattr(l_1_f, 'high_risk_case'))))
            yield ')'
        yield ' | '
        l_2_loop = missing
        for l_2_m, l_2_loop in LoopContext(environment.getattr(l_1_f, 'mlps'), undefined):
            _loop_vars = {}
            pass
            yield str(environment.finalize(t_1(environment.getattr(l_2_m, 'unit'))))
            if (not environment.getattr(l_2_loop, 'last')):
                pass
                yield ', '
        l_2_loop = l_2_m = missing
        yield ' | '
        for (l_2_text, l_2_param) in context.call((undefined(name='reason_segments') if l_1_reason_segments is missing else l_1_reason_segments), l_1_f, (undefined(name='lang') if l_0_lang is missing else l_0_lang), _loop_vars=_loop_vars):
            _loop_vars = {}
            pass
            if l_2_param:
                pass
                yield str(environment.finalize(t_3(l_2_text)))
            else:
                pass
                yield str(environment.finalize(t_1(l_2_text)))
        l_2_text = l_2_param = missing
        if (environment.getattr(l_1_f, 'observed') and (environment.getattr(l_1_f, 'status') != 'pass')):
            pass
            yield ' · '
            yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'observed')))
            yield ': '
            l_2_loop = missing
            for (l_2_k, l_2_v), l_2_loop in LoopContext(context.call((undefined(name='observed_rows') if l_1_observed_rows is missing else l_1_observed_rows), environment.getattr(l_1_f, 'observed'), (undefined(name='lang') if l_0_lang is missing else l_0_lang), _loop_vars=_loop_vars), undefined):
                _loop_vars = {}
                pass
                yield str(environment.finalize(t_3(l_2_k)))
                yield ' = '
                yield str(environment.finalize(t_3(l_2_v)))
                if (not environment.getattr(l_2_loop, 'last')):
                    pass
                    yield '; '
            l_2_loop = l_2_k = l_2_v = missing
        yield ' |\n'
    l_1_loop = l_1_f = l_1_reason_segments = l_1_observed_rows = missing
    yield '\n## '
    yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'remediation')))
    yield '\n\n'
    def t_11(fiter):
        for l_1_f in fiter:
            if (environment.getattr(l_1_f, 'status') == 'fail'):
                yield l_1_f
    t_12 = 1
    for l_1_f in t_11(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'findings')):
        l_1_tech_segments = resolve('tech_segments')
        _loop_vars = {}
        pass
        yield '- **'
        yield str(environment.finalize(t_2(environment.getattr(l_1_f, 'check_id'))))
        yield ' '
        yield str(environment.finalize(t_6(environment.getitem(environment.getattr(l_1_f, 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
        yield '** ('
        yield str(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_0_L is missing else l_0_L), 'severity'), environment.getattr(l_1_f, 'severity'), _loop_vars=_loop_vars)))
        yield '): '
        for (l_2_text, l_2_code) in context.call((undefined(name='tech_segments') if l_1_tech_segments is missing else l_1_tech_segments), environment.getitem(environment.getattr(l_1_f, 'remediation'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)), (undefined(name='lang') if l_0_lang is missing else l_0_lang), _loop_vars=_loop_vars):
            _loop_vars = {}
            pass
            if l_2_code:
                pass
                yield str(environment.finalize(t_2(l_2_text)))
            else:
                pass
                yield str(environment.finalize(t_6(l_2_text)))
        l_2_text = l_2_code = missing
        t_12 = 0
    l_1_f = l_1_tech_segments = missing
    if t_12:
        pass
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'none')))
        yield '\n'
    yield '\n'
    if (undefined(name='qrows') if l_0_qrows is missing else l_0_qrows):
        pass
        yield '## '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'questionnaire')))
        yield ': '
        yield str(environment.finalize(t_6(environment.getitem(environment.getattr(environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'questionnaire'), 'definition'), 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)))))
        yield '\n\n> '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'questionnaire_note')))
        yield '\n\n| # | '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'question')))
        yield ' | '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'answer')))
        yield ' | '
        yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'basis')))
        yield ' |\n|---|---|---|---|\n'
        for l_1_q in (undefined(name='qrows') if l_0_qrows is missing else l_0_qrows):
            _loop_vars = {}
            pass
            yield '| '
            yield str(environment.finalize(t_1(environment.getattr(l_1_q, 'id'))))
            yield ' | '
            yield str(environment.finalize(t_1(environment.getattr(l_1_q, 'question'))))
            yield ' | '
            if environment.getattr(l_1_q, 'skipped_by'):
                pass
                yield str(environment.finalize(t_1(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'not_asked', question=environment.getattr(l_1_q, 'skipped_by'), _loop_vars=_loop_vars))))
            else:
                pass
                yield str(environment.finalize(t_1((environment.getattr(l_1_q, 'answer') or '—'))))
            yield ' | '
            yield str(environment.finalize(t_1(environment.getattr(l_1_q, 'basis'))))
            if environment.getattr(l_1_q, 'coverage'):
                pass
                yield '; '
                yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'partial_evidence', _loop_vars=_loop_vars)))
                yield ': '
                yield str(environment.finalize(t_1(environment.getattr(l_1_q, 'coverage'))))
            if environment.getattr(l_1_q, 'note'):
                pass
                yield '; '
                yield str(environment.finalize(context.call((undefined(name='D') if l_0_D is missing else l_0_D), 'note', _loop_vars=_loop_vars)))
                yield ': '
                yield str(environment.finalize(t_1(environment.getattr(l_1_q, 'note'))))
            if environment.getattr(l_1_q, 'conflict'):
                pass
                yield ' ('
                yield str(environment.finalize(environment.getitem((undefined(name='L') if l_0_L is missing else l_0_L), 'conflict')))
                yield ': '
                yield str(environment.finalize(t_1(environment.getattr(l_1_q, 'conflict'))))
                yield ')'
            yield ' |\n'
        l_1_q = missing
        yield '\n'
    yield '---\n'
    yield str(environment.finalize(t_6(str_join((environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'name'), ' ', environment.getattr(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'tool'), 'version'), )))))
    yield ' · schema '
    yield str(environment.finalize(t_6(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'schema_version'))))

blocks = {}
debug_info = '3=68&5=72&6=84&8=88&10=91&12=95&14=97&16=103&18=137&20=146&22=163&23=166&26=178&27=181&30=194&32=211&33=214&36=227&38=239&43=256&44=260&45=264&46=268&47=272&48=278&50=282&51=285&53=287&55=292&58=295&60=297&63=301&64=305&65=311&66=315&67=319&68=327&69=330&71=341&72=345&74=348&76=350&78=360&79=364&83=376&85=378&86=386&87=392&89=400&92=414&94=423&96=429&97=433&101=444&102=475&104=478&106=482&108=485&110=487&111=491&116=499&117=501&118=505&120=507&123=525&125=527&126=531&128=536&129=540&132=546&134=548&135=551&137=565&138=569&141=588&144=591&146=593&148=597&149=601&152=609&154=611&156=615&157=619&161=627&162=633&163=636&165=639&166=644&171=675&172=678&174=681&175=685&179=708&181=710&183=721&184=727&187=784&189=786&190=796&192=816&195=819&196=822&198=826&200=828&202=834&203=838&208=873'